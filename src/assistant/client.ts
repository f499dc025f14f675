// The assistant's model: any OpenAI-compatible Chat Completions API (OpenAI, Azure OpenAI, Ollama,
// vLLM, LM Studio, llama.cpp's server) through the official `openai` library, streaming off. One
// request per question, within the caller's time budget; a 429 whose Retry-After fits the budget is
// tried once more. Whatever happens is an Answer, never a throw: the text (checked with zod, not yet
// neutralised) or a failure with its outcome and a sentence a person can read. The key is never logged.

import { randomUUID } from "node:crypto";
import OpenAI from "openai";
import { z } from "zod";
import type { AssistantEndpoint } from "../config/index.ts";
import { type ModelTextFlavour, neutraliseModelText } from "../domain/assistant/model-text.ts";
import type { Logger } from "../log.ts";
import type { AssistantMetrics } from "../metrics.ts";

export type AssistantFeature = "catchup" | "update" | "postmortem";

/**
 * How long each feature's question may take, from the person's click or command: the catch-up is due
 * within 20 s (its reply needs a moment), the drafted update likewise, the postmortem within 30 s.
 */
export const ASSISTANT_BUDGETS_MS: Readonly<Record<AssistantFeature, number>> = { catchup: 18_000, update: 20_000, postmortem: 30_000 };

export type FailureOutcome = "timeout" | "rate_limited" | "http_error" | "unreachable" | "malformed" | "empty";

export type Answer =
  | { ok: true; text: string; ms: number; usage?: { prompt: number; completion: number } }
  | { ok: false; outcome: FailureOutcome; why: string; ms: number; ref: string };

export interface CompleteOptions {
  /** Bounds the whole question, a retry after a 429 included. */
  readonly budgetMs: number;
  readonly maxTokens?: number;
  /** Where the text will be shown: it is neutralised for that, and capped at `maxChars`. */
  readonly flavour: ModelTextFlavour;
  readonly maxChars: number;
  /** Why a (neutralised) answer is not what was asked for, e.g. a heading missing; undefined: it is. */
  readonly reject?: (text: string) => string | undefined;
}

export interface ChatMessage {
  readonly role: "system" | "user";
  readonly content: string;
}

/** What a Chat Completions answer must hold for us to use it (the rest is ignored). */
const completion = z.object({
  choices: z
    .array(z.object({ message: z.object({ content: z.string().nullable().optional() }).passthrough(), finish_reason: z.string().nullable().optional() }).passthrough())
    .min(1),
  usage: z.object({ prompt_tokens: z.number().int().nonnegative(), completion_tokens: z.number().int().nonnegative() }).partial().passthrough().nullable().optional(),
});

/** Retry-After (seconds, or an HTTP date) in milliseconds, when the answer says. */
function retryAfterMs(headers: Headers | undefined, now: number): number | undefined {
  const ms = headers?.get("retry-after-ms");
  if (ms && /^\d+(\.\d+)?$/.test(ms)) return Number(ms);
  const raw = headers?.get("retry-after");
  if (!raw) return undefined;
  if (/^\d+(\.\d+)?$/.test(raw)) return Number(raw) * 1000;
  const at = Date.parse(raw);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** The API's own words for an error, one line, short. */
function apiMessage(err: InstanceType<typeof OpenAI.APIError>): string {
  const e: unknown = err.error;
  const said = typeof e === "object" && e !== null && "message" in e ? e.message : undefined;
  const text = typeof said === "string" ? said : "";
  return text.replace(/\s+/g, " ").trim().slice(0, 200);
}

export class AssistantClient {
  private readonly api: OpenAI;
  /**
   * How this endpoint takes the answer's length: `max_tokens` (every OpenAI-compatible server), or
   * `max_completion_tokens` once it refused the first (OpenAI's reasoning models do).
   */
  private lengthParam: "max_tokens" | "max_completion_tokens" = "max_tokens";

  constructor(
    readonly endpoint: AssistantEndpoint,
    private readonly metrics: AssistantMetrics,
    private readonly log: Logger,
  ) {
    this.api = new OpenAI({
      baseURL: endpoint.baseUrl,
      // a local model needs no key; the library insists on one, and the header is dropped below
      apiKey: endpoint.apiKey ?? "no-key",
      organization: null,
      project: null,
      maxRetries: 0,
      logLevel: "off",
      ...(endpoint.apiKey === undefined ? { defaultHeaders: { Authorization: null } } : {}),
    });
  }

  get model(): string {
    return this.endpoint.model;
  }

  /** Asks the model; the text that comes back is made safe for `opts.flavour` (model-text.ts). */
  async complete(feature: AssistantFeature, messages: readonly ChatMessage[], opts: CompleteOptions): Promise<Answer> {
    const started = Date.now();
    const deadline = started + opts.budgetMs;
    const maxTokens = opts.maxTokens;
    let answer = await this.once(messages, deadline, maxTokens);
    if (!answer.ok && answer.outcome === "rate_limited" && answer.waitMs !== undefined && Date.now() + answer.waitMs + 500 < deadline) {
      this.log.info({ feature, waitMs: answer.waitMs }, "the model's API is rate-limiting: trying once more after its Retry-After");
      await new Promise((r) => setTimeout(r, answer.ok ? 0 : answer.waitMs));
      answer = await this.once(messages, deadline, maxTokens);
    }
    if (answer.ok) {
      const text = neutraliseModelText(answer.text, opts.flavour, opts.maxChars);
      const wrong = text === "" ? undefined : opts.reject?.(text);
      if (text === "") answer = { ok: false, outcome: "empty", why: "it answered with nothing usable" };
      else if (wrong) answer = { ok: false, outcome: "malformed", why: wrong };
      else answer = { ...answer, text };
    }
    const ms = Date.now() - started;
    this.metrics.requests.inc({ feature, outcome: answer.ok ? "ok" : answer.outcome });
    this.metrics.duration.observe({ feature }, ms / 1000);
    if (answer.ok) {
      if (answer.usage) {
        this.metrics.tokens.inc({ kind: "prompt" }, answer.usage.prompt);
        this.metrics.tokens.inc({ kind: "completion" }, answer.usage.completion);
      }
      return { ok: true, text: answer.text, ms, ...(answer.usage ? { usage: answer.usage } : {}) };
    }
    // logged once under the reference the person is shown
    const ref = randomUUID().slice(0, 8);
    this.log.warn({ feature, outcome: answer.outcome, why: answer.why, ms, ref }, "the assistant's model did not answer");
    return { ok: false, outcome: answer.outcome, why: answer.why, ms, ref };
  }

  private async once(messages: readonly ChatMessage[], deadline: number, maxTokens: number | undefined): Promise<(Answer & { ok: true }) | { ok: false; outcome: FailureOutcome; why: string; waitMs?: number }> {
    const timeout = Math.max(1, deadline - Date.now());
    const seconds = Math.round(timeout / 1000);
    let raw: unknown;
    try {
      raw = await this.api.chat.completions.create(
        { model: this.endpoint.model, messages: messages.map((m) => ({ role: m.role, content: m.content })), stream: false, ...(maxTokens ? { [this.lengthParam]: maxTokens } : {}) },
        { timeout, maxRetries: 0 },
      );
    } catch (err) {
      if (err instanceof OpenAI.BadRequestError && maxTokens && this.lengthParam === "max_tokens" && (err.param === "max_tokens" || /max_completion_tokens/.test(apiMessage(err)))) {
        this.lengthParam = "max_completion_tokens";
        this.log.info({ model: this.endpoint.model }, "the model takes max_completion_tokens instead of max_tokens: asking again with it");
        return this.once(messages, deadline, maxTokens);
      }
      if (err instanceof OpenAI.APIConnectionTimeoutError) return { ok: false, outcome: "timeout", why: `it took longer than ${seconds} s` };
      if (err instanceof OpenAI.APIConnectionError) return { ok: false, outcome: "unreachable", why: `${this.endpoint.baseUrl} could not be reached` };
      if (err instanceof OpenAI.APIError) {
        const said = apiMessage(err);
        if (err.status === 429) {
          const waitMs = retryAfterMs(err.headers, Date.now());
          return { ok: false, outcome: "rate_limited", why: `its API is rate-limiting requests${waitMs !== undefined ? ` (try again in ${Math.max(1, Math.ceil(waitMs / 1000))} s)` : ""}${said ? `: ${said}` : ""}`, ...(waitMs !== undefined ? { waitMs } : {}) };
        }
        if (err.status === undefined) return { ok: false, outcome: "malformed", why: `its answer could not be read${said ? `: ${said}` : ""}` };
        return { ok: false, outcome: "http_error", why: `its API answered HTTP ${err.status}${said ? `: ${said}` : ""}` };
      }
      // the library parses the body; an answer that is not JSON surfaces here
      return { ok: false, outcome: "malformed", why: "its answer could not be read" };
    }
    const parsed = completion.safeParse(raw);
    if (!parsed.success) return { ok: false, outcome: "malformed", why: "its answer was not a chat completion" };
    const text = parsed.data.choices[0]?.message.content ?? "";
    if (text.trim() === "") return { ok: false, outcome: "empty", why: "it answered with nothing" };
    const u = parsed.data.usage;
    return { ok: true, text, ms: 0, ...(u && u.prompt_tokens !== undefined && u.completion_tokens !== undefined ? { usage: { prompt: u.prompt_tokens, completion: u.completion_tokens } } : {}) };
  }
}
