// The one Slack Web API client. WebClient's own retry policy (10 retries over ~30 minutes, and a 429
// that pauses the whole queue) is switched off: a call either answers or fails at once with a
// SlackCallError naming the method and Slack's error code, and the caller decides. Durable work is
// retried by the scheduler with backoff, honouring Retry-After; interactive calls (views.open within
// a trigger's 3 seconds) get one quick retry at most.

import { type Logger as SlackLogger, LogLevel as SlackLogLevel } from "@slack/logger";
import { ErrorCode, WebClient } from "@slack/web-api";
import type { Logger } from "../log.ts";

/** Slack error codes that mean "try again later", not "this request is wrong". */
const TRANSIENT_CODES = new Set([
  "ratelimited",
  "rate_limited",
  "internal_error",
  "fatal_error",
  "service_unavailable",
  "request_timeout",
  "team_added_to_org",
  "message_limit_exceeded",
]);

export class SlackCallError extends Error {
  constructor(
    readonly method: string,
    /** Slack's error code, or `http_<status>` / `network` / `timeout`. */
    readonly code: string,
    /** Seconds Slack asked us to wait (429), if any. */
    readonly retryAfter: number | undefined,
    readonly transient: boolean,
    readonly data?: unknown,
  ) {
    super(`${method} failed: ${code}`);
    this.name = "SlackCallError";
  }
}

export function isSlackError(err: unknown, ...codes: string[]): err is SlackCallError {
  return err instanceof SlackCallError && (codes.length === 0 || codes.includes(err.code));
}

/** Bolt and WebClient log through this adapter into pino. */
export function slackLogger(log: Logger, name = "slack"): SlackLogger {
  let level = SlackLogLevel.INFO;
  const child = log.child({ component: name });
  const text = (parts: unknown[]) => parts.map((p) => (typeof p === "string" ? p : JSON.stringify(p))).join(" ");
  return {
    debug: (...m: unknown[]) => child.debug(text(m)),
    info: (...m: unknown[]) => child.info(text(m)),
    warn: (...m: unknown[]) => child.warn(text(m)),
    error: (...m: unknown[]) => child.error(text(m)),
    setLevel: (l: SlackLogLevel) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => undefined,
  };
}

export interface SlackApiOptions {
  token: string;
  apiUrl: string;
  log: Logger;
  /** Per-request timeout in ms. */
  timeoutMs?: number;
}

export type SlackResult = Record<string, unknown> & { ok: boolean };

export class SlackApi {
  readonly client: WebClient;
  private readonly log: Logger;

  constructor(opts: SlackApiOptions) {
    this.log = opts.log;
    this.client = new WebClient(opts.token, {
      slackApiUrl: opts.apiUrl,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      timeout: opts.timeoutMs ?? 10_000,
      logger: slackLogger(opts.log, "web-api"),
      logLevel: SlackLogLevel.WARN,
      // one process may run hundreds of incidents; Slack's own rate limits are the real ceiling
      maxRequestConcurrency: 50,
    });
  }

  /** Calls a Web API method. Throws SlackCallError on any failure. */
  async call<T extends SlackResult = SlackResult>(method: string, args: Record<string, unknown> = {}): Promise<T> {
    try {
      return (await this.client.apiCall(method, args)) as T;
    } catch (err) {
      throw toSlackError(method, err);
    }
  }

  /** Like call, but an expected error code becomes undefined instead of an exception. */
  async callUnless<T extends SlackResult = SlackResult>(
    method: string,
    args: Record<string, unknown>,
    ...tolerated: string[]
  ): Promise<T | undefined> {
    try {
      return await this.call<T>(method, args);
    } catch (err) {
      if (isSlackError(err, ...tolerated)) {
        this.log.debug({ method, code: err.code }, "tolerated Slack error");
        return undefined;
      }
      throw err;
    }
  }
}

export function toSlackError(method: string, err: unknown): SlackCallError {
  if (err instanceof SlackCallError) return err;
  const e = err as { code?: string; data?: { error?: string }; retryAfter?: number; statusCode?: number; original?: Error; message?: string };
  switch (e.code) {
    case ErrorCode.PlatformError: {
      const code = e.data?.error ?? "unknown_error";
      return new SlackCallError(method, code, undefined, TRANSIENT_CODES.has(code), e.data);
    }
    case ErrorCode.RateLimitedError:
      return new SlackCallError(method, "ratelimited", e.retryAfter ?? 1, true);
    case ErrorCode.HTTPError: {
      const status = e.statusCode ?? 0;
      return new SlackCallError(method, `http_${status}`, undefined, status >= 500 || status === 408 || status === 429);
    }
    case ErrorCode.RequestError: {
      const message = e.original?.message ?? e.message ?? "";
      const timeout = /timeout|timed out|aborted/i.test(message);
      return new SlackCallError(method, timeout ? "timeout" : "network", undefined, true);
    }
    default:
      return new SlackCallError(method, "unexpected", undefined, true, { message: String(e.message ?? err) });
  }
}
