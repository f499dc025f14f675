// One question to the assistant about one incident: may it be asked (the assistant is on; a private
// incident only with ai.include_private), what it is given (gather.ts, fitted to ai.max_input_chars,
// secrets removed by prompts.ts), and what comes back (the client's Answer, its text made safe for
// where it will be shown). Every failure is an answer with a reason and a reference, never a throw.

import type { AssistantFeature } from "../../assistant/client.ts";
import type { Incident } from "../../domain/incident.ts";
import type { ModelTextFlavour } from "../../domain/assistant/model-text.ts";
import type { Ctx } from "../context.ts";
import { channelMessages, promptData } from "./gather.ts";

/** How long reading the channel may take of a question's budget, at most. */
const HISTORY_SHARE = 0.25;

export type Asked =
  | { readonly ok: true; readonly text: string; readonly model: string; readonly ms: number; readonly messagesSent: number; readonly messagesOmitted: number }
  | { readonly ok: false; readonly why: string; readonly ref?: string };

/** Why the assistant may not be asked about `incident` (undefined: it may). */
export function whyNotAsk(ctx: Ctx, incident: Incident): string | undefined {
  if (!ctx.assistant) return "the assistant is off: set AI_BASE_URL and AI_MODEL (and AI_API_KEY if your endpoint needs a key) to turn it on";
  if (incident.isPrivate && !ctx.config.incident.ai.includePrivate) return "this incident is private, and private incidents are not sent to the model unless `ai.include_private: true` is in the config file";
  return undefined;
}

export interface AskOptions {
  /** Only what happened after this (a drafted update: since the last update). */
  readonly since?: Date;
  /** The whole question, from `startedAt` (default now): reading the channel, the model, a retry. */
  readonly budgetMs: number;
  readonly startedAt?: number;
  readonly flavour: ModelTextFlavour;
  /** The longest text to give back (after neutralising). */
  readonly maxChars: number;
  readonly maxTokens?: number;
  /** Why an answer is not what was asked for (it then counts as malformed). */
  readonly reject?: (text: string) => string | undefined;
}

export async function askAssistant(ctx: Ctx, feature: AssistantFeature, incident: Incident, opts: AskOptions): Promise<Asked> {
  const refusal = whyNotAsk(ctx, incident);
  if (refusal || !ctx.assistant) return { ok: false, why: refusal ?? "the assistant is off" };
  const { client, prompts } = ctx.assistant;
  const started = opts.startedAt ?? Date.now();
  const deadline = started + opts.budgetMs;
  const now = ctx.clock.now();
  const max = ctx.config.incident.ai.maxInputChars;
  const t0 = performance.now();
  const { data, nameOf } = await promptData(ctx, incident, opts.since, now);
  const t1 = performance.now();
  const messages = await channelMessages(ctx, incident, opts.since, max, Math.min(deadline, Date.now() + opts.budgetMs * HISTORY_SHARE), nameOf);
  const t2 = performance.now();
  const prompt = await prompts.build(feature, data, messages, max);
  const ms = (a: number, b: number) => Math.round(b - a);
  ctx.log.info(
    {
      feature,
      incident: incident.id,
      chars: prompt.chars,
      messagesSent: prompt.messagesSent,
      messagesOmitted: prompt.messagesOmitted,
      secretsRemoved: prompt.secretsRemoved,
      // where the time before the question went: the record, the channel, the prompt
      ms: { record: ms(t0, t1), channel: ms(t1, t2), prompt: ms(t2, performance.now()), sinceAsked: Math.round(Date.now() - started) },
    },
    "asking the assistant's model",
  );
  const left = deadline - Date.now();
  if (left < 1000) {
    ctx.log.warn({ feature, incident: incident.id }, "no time left to ask the assistant's model");
    return { ok: false, why: "reading the channel left no time to ask it" };
  }
  const answer = await client.complete(feature, prompt.messages, {
    budgetMs: left,
    flavour: opts.flavour,
    maxChars: opts.maxChars,
    ...(opts.maxTokens ? { maxTokens: opts.maxTokens } : {}),
    ...(opts.reject ? { reject: opts.reject } : {}),
  });
  if (!answer.ok) return { ok: false, why: answer.why, ref: answer.ref };
  return { ok: true, text: answer.text, model: client.model, ms: answer.ms, messagesSent: prompt.messagesSent, messagesOmitted: prompt.messagesOmitted };
}
