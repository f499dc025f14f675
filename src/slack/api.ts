// The one Slack Web API client. WebClient's own retry policy (10 retries over ~30 minutes, and a 429
// that pauses the whole queue) is switched off: a call either answers or fails at once with a
// SlackCallError naming the method and Slack's error code, and the caller decides. Durable work is
// retried by the scheduler with backoff, honouring Retry-After; interactive calls (views.open within
// a trigger's 3 seconds) get one quick retry at most.

import { type Logger as SlackLogger, LogLevel as SlackLogLevel } from "@slack/logger";
import { ErrorCode, WebClient } from "@slack/web-api";
import { type Clock, systemClock } from "../clock.ts";
import type { Logger } from "../log.ts";
import { step } from "../foreground.ts";
import { type PaceOptions, Pacer } from "./pacing.ts";

export interface BotIdentity {
  readonly userId: string;
  readonly botId: string;
  readonly teamId: string;
  /** The workspace's URL, e.g. https://acme.slack.com/ (for permalinks). */
  readonly teamUrl: string;
}

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

/**
 * The bot held a call back to stay inside Slack's rate limits (pacing.ts): retry it after
 * `retryAfter` seconds. Not a failure: the scheduler does not count it as an attempt.
 */
export class PacedError extends SlackCallError {
  readonly paced = true;
  constructor(method: string, retryAfterMs: number) {
    super(method, "ratelimited", retryAfterMs / 1000, true);
    this.name = "PacedError";
    this.message = `${method} paced: Slack's rate limit allows it in ${Math.ceil(retryAfterMs)} ms`;
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
  /** Per-request timeout of interactive calls (a trigger is valid for 3 seconds). */
  interactiveTimeoutMs?: number;
  /** Measures Slack's Retry-After pauses. */
  clock?: Clock;
  /** Keep inside Slack's rate limits (pacing.ts); off only for a fake Slack without them. */
  pacing?: boolean;
  /** Told of every call made: its method, "ok" or the error code, and how long it took. */
  onCall?: (method: string, outcome: string, seconds: number) => void;
}

export type SlackResult = Record<string, unknown> & { ok: boolean };

export class SlackApi {
  readonly client: WebClient;
  /** The same, with a timeout that fits inside a trigger's 3 seconds (views.open). */
  private readonly interactive: WebClient;
  private readonly log: Logger;
  private readonly clock: Clock;
  /** Per method, when Slack's last Retry-After ends. */
  private readonly paused = new Map<string, number>();
  readonly pacer: Pacer;
  private readonly onCall: SlackApiOptions["onCall"];

  constructor(opts: SlackApiOptions) {
    this.log = opts.log;
    this.onCall = opts.onCall;
    this.clock = opts.clock ?? systemClock;
    this.pacer = new Pacer(opts.pacing ?? true);
    const common = {
      slackApiUrl: opts.apiUrl,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      logger: slackLogger(opts.log, "web-api"),
      logLevel: SlackLogLevel.WARN,
    };
    // one process may run hundreds of incidents; Slack's own rate limits are the real ceiling
    this.client = new WebClient(opts.token, { ...common, timeout: opts.timeoutMs ?? 10_000, maxRequestConcurrency: 50 });
    this.interactive = new WebClient(opts.token, { ...common, timeout: opts.interactiveTimeoutMs ?? 2_500 });
  }

  /**
   * Calls a Web API method. Throws SlackCallError on any failure. After a 429, calls of that method
   * fail at once (as rate-limited, with the time left) until Slack's Retry-After has passed, so the
   * scheduler reschedules them instead of hammering Slack.
   */
  call<T extends SlackResult = SlackResult>(method: string, args: Record<string, unknown> = {}, pace: PaceOptions = {}): Promise<T> {
    return this.via<T>(this.client, method, args, pace);
  }

  /**
   * Takes the slot of a call about to be made (waiting a moment, or throwing PacedError to defer the
   * job), before anything is recorded about it; the call then goes with `{ prepaid: true }`.
   */
  async pace(method: string, args: Record<string, unknown>): Promise<void> {
    const deferMs = await this.pacer.take(method, args);
    if (deferMs > 0) throw new PacedError(method, deferMs);
  }

  /** Milliseconds until `method` may be called again after a 429 (0: now); chat.postMessage per channel. */
  pausedFor(method: string, args: Record<string, unknown> = {}): number {
    const key = pauseKey(method, args);
    const until = this.paused.get(key);
    if (until === undefined) return 0;
    const left = until - this.clock.now().getTime();
    if (left <= 0) this.paused.delete(key);
    return Math.max(0, left);
  }

  private noted(err: SlackCallError, args: Record<string, unknown>): SlackCallError {
    if (err.code === "ratelimited" && err.retryAfter !== undefined && !(err instanceof PacedError)) {
      const key = pauseKey(err.method, args);
      const until = this.clock.now().getTime() + err.retryAfter * 1000;
      if (until > (this.paused.get(key) ?? 0)) this.paused.set(key, until);
    }
    return err;
  }

  /** A call made while a person waits on a trigger: a short timeout, so they hear back in time. */
  callInteractive<T extends SlackResult = SlackResult>(method: string, args: Record<string, unknown> = {}): Promise<T> {
    return this.via<T>(this.interactive, method, args, { interactive: true });
  }

  private async via<T extends SlackResult>(client: WebClient, method: string, args: Record<string, unknown>, pace: PaceOptions & { interactive?: boolean }): Promise<T> {
    const left = this.pausedFor(method, args);
    if (left > 0) throw new SlackCallError(method, "ratelimited", left / 1000, true);
    const deferMs = await this.pacer.take(method, args, pace);
    if (deferMs > 0) throw new PacedError(method, deferMs);
    // background work's call lets requests go first (one made while a person waits on a trigger is not background work)
    await step();
    const started = performance.now();
    try {
      const result = (await client.apiCall(method, args)) as T;
      this.onCall?.(method, "ok", (performance.now() - started) / 1000);
      return result;
    } catch (err) {
      const e = toSlackError(method, err);
      this.onCall?.(method, e.code, (performance.now() - started) / 1000);
      throw this.noted(e, args);
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

/** Slack limits chat.postMessage per channel: a 429 there pauses that channel only. */
function pauseKey(method: string, args: Record<string, unknown>): string {
  return method === "chat.postMessage" && typeof args.channel === "string" ? `${method}:${args.channel}` : method;
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
