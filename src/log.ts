// The logger: pino, JSON lines on stdout. Secrets never reach the output: known secret-bearing
// fields are redacted by path, and any string that looks like a Slack token or signature is masked
// wherever it appears (an error message, a URL, a nested payload).

import pino, { type DestinationStream, type Logger as PinoLogger } from "pino";

export type Logger = PinoLogger;
export type LogLevel = "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";

const REDACTED = "[redacted]";

// Slack tokens (xoxb-, xoxp-, xapp-, xoxa-, xoxe-, xoxr-, xoxs-) and v0= request signatures.
const SECRET_PATTERN = /\b(?:xox[abeprs]|xapp)-[A-Za-z0-9-]+|\bv0=[0-9a-f]{16,}/g;

const REDACT_PATHS = [
  "token",
  "*.token",
  "botToken",
  "*.botToken",
  "appToken",
  "*.appToken",
  "signingSecret",
  "*.signingSecret",
  "password",
  "*.password",
  "databaseUrl",
  "*.databaseUrl",
  // the assistant's key (AI_API_KEY), wherever a config or an error carries it
  "apiKey",
  "*.apiKey",
  "*.*.apiKey",
  "authorization",
  "*.authorization",
  "*.headers.authorization",
  "*.headers.Authorization",
  '*.headers["x-slack-signature"]',
  '*.headers["X-Slack-Signature"]',
  "*.headers.cookie",
];

/** Masks secrets inside strings, recursively; leaves everything else as it is. */
export function scrub(value: unknown, seen = new WeakSet<object>()): unknown {
  if (typeof value === "string") return value.replace(SECRET_PATTERN, REDACTED);
  if (value === null || typeof value !== "object") return value;
  if (seen.has(value)) return value;
  seen.add(value);
  if (value instanceof Error) {
    const out: Record<string, unknown> = { type: value.name, message: scrub(value.message, seen) };
    if (value.stack) out.stack = scrub(value.stack, seen);
    // a Slack failure names its method and Slack's error code (SlackCallError)
    const method = (value as { method?: unknown }).method;
    if (typeof method === "string") out.method = method;
    const code = (value as { code?: unknown }).code;
    if (code !== undefined) out.code = code;
    const retryAfter = (value as { retryAfter?: unknown }).retryAfter;
    if (typeof retryAfter === "number") out.retryAfter = retryAfter;
    const data = (value as { data?: unknown }).data;
    if (data !== undefined) out.data = scrub(data, seen);
    return out;
  }
  if (Array.isArray(value)) return value.map((v) => scrub(v, seen));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = scrub(v, seen);
  return out;
}

export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { name: "warroom" },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT_PATHS, censor: REDACTED },
      serializers: { err: (err: unknown) => scrub(err) },
      hooks: {
        // Runs before serialisation: scrub every argument (objects and the message string).
        logMethod(args, method) {
          const cleaned = args.map((a) => scrub(a)) as Parameters<typeof method>;
          method.apply(this, cleaned);
        },
      },
      formatters: { level: (label) => ({ level: label }) },
    },
    destination ?? pino.destination({ dest: 1, sync: false }),
  );
}

/**
 * Where a command-line tool's log goes: one sentence a line on stderr (`warroom backup: warn: …`),
 * never JSON, the record's fields left out but for an error's message.
 */
export function sentenceDestination(tool: string, write: (line: string) => void = (line) => process.stderr.write(line)): DestinationStream {
  return {
    write(json: string): void {
      let record: { level?: unknown; msg?: unknown; err?: { message?: unknown } };
      try {
        record = JSON.parse(json) as typeof record;
      } catch {
        write(`warroom ${tool}: ${json.trim()}\n`);
        return;
      }
      const err = typeof record.err?.message === "string" ? ` (${record.err.message})` : "";
      const level = typeof record.level === "string" ? record.level : "log";
      const msg = typeof record.msg === "string" ? record.msg : "";
      write(`warroom ${tool}: ${level}: ${msg}${err}\n`);
    },
  };
}
