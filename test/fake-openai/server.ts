// A real HTTP fake of OpenAI's Chat Completions API (POST /v1/chat/completions), built from OpenAI's
// published API reference: Bearer authentication (401 invalid_api_key), the request body checked
// (400 invalid_request_error with its param), an unknown model (404 model_not_found), requests per
// minute limited (429 rate_limit_exceeded with retry-after and the x-ratelimit-* headers), and the
// chat.completion object with its usage. Streaming is not implemented: stream: true is refused,
// which the bot never sends. Every request is recorded (headers and parsed body) so a test can
// assert what the model was sent, and what it was not. What it answers is scripted per request:
// text after a delay, an HTTP error, a hang, a cut connection, a body that is not JSON, a JSON body
// that is not a completion, or an empty message.

import http from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedRequest {
  readonly at: number;
  readonly method: string;
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  /** The parsed JSON body (undefined when it did not parse). */
  readonly body: { model?: string; messages?: { role: string; content: string }[]; stream?: boolean; max_tokens?: number; [k: string]: unknown } | undefined;
  /** Every message's content, joined: what a test searches for planted words. */
  readonly text: string;
  /** When its answer was written (a completion or an error), for the bench's "the model's own time". */
  answeredAt?: number;
}

export type Behaviour =
  | { kind: "answer"; text: string; delayMs?: number; finishReason?: string }
  | { kind: "status"; status: number; message?: string; type?: string; code?: string | null; retryAfter?: string }
  | { kind: "hang" }
  | { kind: "cut" }
  | { kind: "not_json" }
  | { kind: "not_completion" }
  | { kind: "empty" };

export interface FakeOpenAIOptions {
  /** The key every request must carry (Authorization: Bearer …); unset: no key needed (a local model). */
  apiKey?: string;
  /** The models it serves (default gpt-4o-mini and llama3.1). */
  models?: string[];
  /** Requests per minute before 429s (default: unlimited). */
  requestsPerMinute?: number;
  /** How long an answer takes unless the behaviour says (default 5 ms). */
  answerMs?: number;
  /** Refuse `max_tokens` as OpenAI's reasoning models do (400, param max_tokens), taking `max_completion_tokens`. */
  reasoningModel?: boolean;
}

export interface FakeOpenAI {
  /** What AI_BASE_URL is set to: http://127.0.0.1:<port>/v1. */
  readonly baseUrl: string;
  readonly requests: RecordedRequest[];
  /** Behaviours for the next requests, in order; after them, the default answers. */
  script(...behaviours: Behaviour[]): void;
  /** Answers every request with this (until cleared with undefined). */
  always(behaviour: Behaviour | ((req: RecordedRequest) => Behaviour) | undefined): void;
  stop(): Promise<void>;
}

/** The built-in answers: what a well-behaved model would write for each of the bot's prompts. */
export function defaultAnswer(req: RecordedRequest): string {
  const system = req.body?.messages?.[0]?.content ?? "";
  if (/postmortem/i.test(system)) {
    return "## Summary\nCheckout failed for EU customers after a configuration change; a rollback restored it.\n\n## Narrative\nErrors rose after a deploy and were noticed by an alert.\n\nThe team rolled back the change and the error rate fell to normal.";
  }
  if (/status updates/i.test(system)) {
    return "Status: Identified\nImpact: EU customers cannot pay.\nWhat changed: the bad deploy was found.\nWhat we are doing: rolling it back.\nNext update: in 30 minutes.";
  }
  return "*What is happening:* Checkout errors for EU customers since a deploy; a rollback is under way.\n*Open questions and next steps:* confirm the error rate is back to normal.";
}

const MAX_BODY = 4 * 1024 * 1024;
const ROLES = new Set(["system", "developer", "user", "assistant", "tool"]);

function openaiError(res: http.ServerResponse, status: number, message: string, type: string, code: string | null, param: string | null = null, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json", "x-request-id": `req_${Math.random().toString(16).slice(2, 14)}`, ...headers });
  res.end(JSON.stringify({ error: { message, type, param, code } }));
}

/** Checks a Chat Completions request as the reference describes it; the first problem, or undefined. */
function invalid(body: unknown): { message: string; param: string | null } | undefined {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return { message: "We could not parse the JSON body of your request.", param: null };
  const b = body as Record<string, unknown>;
  if (typeof b.model !== "string" || b.model === "") return { message: "you must provide a model parameter", param: "model" };
  if (!Array.isArray(b.messages) || b.messages.length === 0) return { message: "Invalid 'messages': empty array. Expected an array with minimum length 1.", param: "messages" };
  for (const [i, m] of (b.messages as unknown[]).entries()) {
    const msg = m as Record<string, unknown> | null;
    if (!msg || typeof msg.role !== "string" || !ROLES.has(msg.role)) return { message: `Invalid value for 'messages[${i}].role'.`, param: `messages[${i}].role` };
    if (typeof msg.content !== "string" && !Array.isArray(msg.content)) return { message: `Invalid type for 'messages[${i}].content': expected a string or an array of content parts.`, param: `messages[${i}].content` };
  }
  if (b.max_tokens !== undefined && (typeof b.max_tokens !== "number" || !Number.isInteger(b.max_tokens) || b.max_tokens < 1)) return { message: "Invalid 'max_tokens': expected an integer of at least 1.", param: "max_tokens" };
  if (b.stream !== undefined && typeof b.stream !== "boolean") return { message: "Invalid type for 'stream': expected a boolean.", param: "stream" };
  return undefined;
}

const tokens = (chars: number) => Math.max(1, Math.ceil(chars / 4));

export async function startFakeOpenAI(opts: FakeOpenAIOptions = {}): Promise<FakeOpenAI> {
  const models = new Set(opts.models ?? ["gpt-4o-mini", "llama3.1"]);
  const requests: RecordedRequest[] = [];
  const queue: Behaviour[] = [];
  let fixed: Behaviour | ((req: RecordedRequest) => Behaviour) | undefined;
  const window: number[] = [];
  const hanging = new Set<http.ServerResponse>();

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY) chunks.push(c);
    });
    req.on("end", () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      let body: RecordedRequest["body"];
      try {
        body = JSON.parse(raw) as RecordedRequest["body"];
      } catch {
        body = undefined;
      }
      const text = (body?.messages ?? []).map((m) => (typeof m.content === "string" ? m.content : JSON.stringify(m.content))).join("\n");
      const recorded: RecordedRequest = { at: Date.now(), method: req.method ?? "", path: req.url ?? "", headers: req.headers, body, text };
      requests.push(recorded);
      res.on("finish", () => (recorded.answeredAt = Date.now()));
      void handle(recorded, raw, size, req, res);
    });
  });

  async function handle(r: RecordedRequest, raw: string, size: number, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (r.path.replace(/\?.*$/, "") !== "/v1/chat/completions") {
      openaiError(res, 404, `Invalid URL (${r.method} ${r.path})`, "invalid_request_error", null);
      return;
    }
    if (r.method !== "POST") {
      openaiError(res, 405, `Invalid method for URL (${r.method} ${r.path})`, "invalid_request_error", null);
      return;
    }
    const auth = req.headers.authorization;
    if (opts.apiKey !== undefined) {
      if (!auth) {
        openaiError(res, 401, "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).", "invalid_request_error", null);
        return;
      }
      const given = /^Bearer (.+)$/.exec(auth)?.[1];
      if (given !== opts.apiKey) {
        openaiError(res, 401, `Incorrect API key provided: ${(given ?? "").slice(0, 3)}***${(given ?? "").slice(-4)}. You can find your API key at https://platform.openai.com/account/api-keys.`, "invalid_request_error", "invalid_api_key");
        return;
      }
    }
    if (size > MAX_BODY) {
      openaiError(res, 413, "Request too large.", "invalid_request_error", null);
      return;
    }
    if (!/^application\/json/i.test(req.headers["content-type"] ?? "")) {
      openaiError(res, 400, "Unsupported content type: expected application/json.", "invalid_request_error", null);
      return;
    }
    const problem = r.body === undefined ? { message: `We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly.) ${raw.length === 0 ? "The body was empty." : ""}`.trim(), param: null } : invalid(r.body);
    if (problem) {
      openaiError(res, 400, problem.message, "invalid_request_error", null, problem.param);
      return;
    }
    const body = r.body as NonNullable<RecordedRequest["body"]>;
    if (opts.reasoningModel && body.max_tokens !== undefined) {
      openaiError(res, 400, "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.", "invalid_request_error", "unsupported_parameter", "max_tokens");
      return;
    }
    if (body.stream === true) {
      openaiError(res, 400, "This fake of the Chat Completions API does not stream; send stream: false.", "invalid_request_error", null, "stream");
      return;
    }
    if (!models.has(body.model as string)) {
      openaiError(res, 404, `The model \`${body.model}\` does not exist or you do not have access to it.`, "invalid_request_error", "model_not_found");
      return;
    }
    if (opts.requestsPerMinute !== undefined) {
      const now = Date.now();
      while (window.length > 0 && (window[0] as number) <= now - 60_000) window.shift();
      if (window.length >= opts.requestsPerMinute) {
        const wait = Math.ceil(((window[0] as number) + 60_000 - now) / 1000);
        openaiError(res, 429, `Rate limit reached for ${body.model} on requests per min (RPM): Limit ${opts.requestsPerMinute}, Used ${window.length}, Requested 1. Please try again in ${wait}s.`, "requests", "rate_limit_exceeded", null, {
          "retry-after": String(wait),
          "x-ratelimit-limit-requests": String(opts.requestsPerMinute),
          "x-ratelimit-remaining-requests": "0",
          "x-ratelimit-reset-requests": `${wait}s`,
        });
        return;
      }
      window.push(now);
    }
    const next = queue.shift() ?? (typeof fixed === "function" ? fixed(r) : fixed) ?? { kind: "answer", text: defaultAnswer(r) };
    switch (next.kind) {
      case "hang":
        hanging.add(res);
        res.on("close", () => hanging.delete(res));
        return;
      case "cut":
        req.socket.destroy();
        return;
      case "status":
        openaiError(res, next.status, next.message ?? "The server had an error while processing your request. Sorry about that!", next.type ?? (next.status >= 500 ? "server_error" : "invalid_request_error"), next.code ?? null, null, next.retryAfter ? { "retry-after": next.retryAfter } : {});
        return;
      case "not_json":
        res.writeHead(200, { "content-type": "application/json" });
        res.end("<html><body>502 Bad Gateway</body></html>");
        return;
      case "not_completion":
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ object: "list", data: [] }));
        return;
      case "empty":
      case "answer": {
        const content = next.kind === "answer" ? next.text : "";
        const delay = next.kind === "answer" ? (next.delayMs ?? opts.answerMs ?? 5) : (opts.answerMs ?? 5);
        const started = Date.now();
        await new Promise((resolve) => setTimeout(resolve, delay));
        if (res.destroyed) return;
        const prompt = tokens(r.text.length);
        const completion = content === "" ? 0 : tokens(content.length);
        res.writeHead(200, { "content-type": "application/json", "x-request-id": `req_${Math.random().toString(16).slice(2, 14)}`, "openai-processing-ms": String(Date.now() - started) });
        res.end(
          JSON.stringify({
            id: `chatcmpl-${Math.random().toString(36).slice(2, 14)}`,
            object: "chat.completion",
            created: Math.floor(Date.now() / 1000),
            model: body.model,
            choices: [{ index: 0, message: { role: "assistant", content, refusal: null, annotations: [] }, logprobs: null, finish_reason: next.kind === "answer" ? (next.finishReason ?? "stop") : "stop" }],
            usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion, prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 } },
            service_tier: "default",
            system_fingerprint: null,
          }),
        );
        return;
      }
      default:
        next satisfies never;
    }
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    script(...behaviours) {
      queue.push(...behaviours);
    },
    always(behaviour) {
      fixed = behaviour;
    },
    async stop() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
