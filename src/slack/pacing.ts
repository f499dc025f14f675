// Pacing: the bot keeps itself inside Slack's published rate limits instead of bouncing off them.
// Each Web API method has a tier (Slack's per-method JSON gives t1…t4; t5 is "special"): Tier 2 is 20
// calls a minute, Tier 3 50, Tier 4 100, per method, per workspace, per app. chat.postMessage is
// special: about one message a second per channel, and several hundred a minute in a workspace.
//
// Every limit is kept as a sliding window (at most N calls in any window of W): a sequence that keeps
// it also keeps a token bucket or a fixed per-minute counter of the same N, so the bot stays inside
// whichever way Slack counts. Calls reserve their slot first come, first served.
//
// A call whose slot is more than a moment away does not hold a worker: inside a job it keeps its
// reservation under the job's key and fails with a PacedError (api.ts), which the scheduler turns into "run
// again at the slot" without counting an attempt. A coalescable call (a triage message kept current)
// reserves nothing and simply tries later. Outside jobs (a person waiting on a form) a call waits a
// moment at most, then goes ahead.
//
// The windows are this process's: several replicas each keep their own, and a 429 Slack still answers
// is honoured through its Retry-After (api.ts).

import { AsyncLocalStorage } from "node:async_hooks";
import { performance } from "node:perf_hooks";

/** Slack's tiers, calls per minute. */
export const TIER_PER_MINUTE = { 1: 1, 2: 20, 3: 50, 4: 100 } as const;
export type Tier = keyof typeof TIER_PER_MINUTE;

/**
 * The tier of every method this bot calls, from Slack's method reference (docs.slack.dev
 * methods/<name>.json, `rate_limits`). chat.postMessage and auth.test are special (their own limits).
 */
export const METHOD_TIER: Readonly<Record<string, Tier>> = {
  "bookmarks.add": 2,
  "canvases.create": 2,
  "canvases.edit": 3,
  "chat.postEphemeral": 4,
  "chat.update": 3,
  "conversations.archive": 2,
  "conversations.canvases.create": 2,
  "conversations.create": 2,
  "conversations.history": 3,
  "conversations.replies": 3,
  "conversations.info": 3,
  "conversations.invite": 3,
  "conversations.join": 3,
  "conversations.list": 2,
  "conversations.members": 4,
  "conversations.open": 3,
  "conversations.setPurpose": 2,
  "conversations.setTopic": 2,
  "files.completeUploadExternal": 4,
  "files.getUploadURLExternal": 4,
  "pins.add": 2,
  "pins.remove": 2,
  "team.info": 3,
  "usergroups.users.list": 2,
  "users.info": 4,
  "views.open": 4,
  "views.publish": 4,
  "views.push": 4,
  "views.update": 4,
};

/** A method Slack lists without a tier of ours: paced as Tier 3, the common one. */
const DEFAULT_TIER: Tier = 3;

/** A minute and a second: a margin for the time between our clock and Slack's. */
const TIER_WINDOW_MS = 61_000;
/** One message per channel per this long (Slack: "one message per second per channel"). */
export const CHANNEL_INTERVAL_MS = 1_050;
/** chat.postMessage across the workspace ("several hundred messages per minute"). */
const WORKSPACE_POSTS = { limit: 300, windowMs: TIER_WINDOW_MS };

/** How long a call may wait in place for its slot before it is deferred instead. */
export const INLINE_WAIT_MS = 1_500;
/** A coalescable call goes ahead only if its slot is this close. */
const SKIP_WAIT_MS = 100;
/** A deferred call's reservation is kept this long past its slot, then given up. */
const RESERVATION_GRACE_MS = 30_000;
/**
 * A deferred job is run again this long before its slot and waits the rest in place, so the worker's
 * polling does not make it late (a call going after its slot could crowd the one reserved next).
 */
export const RETURN_EARLY_MS = 400;
/** A kept slot missed by more than this is given up and a new one taken. */
const LATE_MS = 25;

/** Who is calling: a job (whose calls keep their reservations across a deferral), or nobody. */
export const pacingScope = new AsyncLocalStorage<{ readonly key: string }>();

/** At most `limit` calls in any window of `windowMs`, first come first served. */
class Window {
  /** Reserved call times, ascending. */
  private readonly times: number[] = [];
  constructor(
    readonly limit: number,
    readonly windowMs: number,
  ) {}

  private prune(now: number): void {
    let drop = 0;
    while (drop < this.times.length && (this.times[drop] as number) <= now - this.windowMs) drop++;
    if (drop > 0) this.times.splice(0, drop);
  }

  /** The earliest time a new call may go, after every call already reserved. */
  earliest(now: number): number {
    this.prune(now);
    const last = this.times.at(-1) ?? -Infinity;
    const nth = this.times.length >= this.limit ? (this.times[this.times.length - this.limit] as number) + this.windowMs : -Infinity;
    return Math.max(now, last, nth);
  }

  reserve(at: number): void {
    this.times.push(at);
  }

  /** Nothing reserved within the window: it can be forgotten. */
  idle(now: number): boolean {
    this.prune(now);
    return this.times.length === 0;
  }
}

export type PaceMode =
  /** The default: wait a moment, or keep the slot and defer the job. */
  | "reserve"
  /** Coalescable (a message kept current): go now or try later, holding nothing. */
  | "skip";

export interface PaceOptions {
  readonly mode?: PaceMode;
  /** The slot was taken just before (SlackApi.pace): the call goes at once. */
  readonly prepaid?: boolean;
}

export class Pacer {
  private readonly windows = new Map<string, Window>();
  /** Deferred calls' slots, by the caller's key. */
  private readonly reservations = new Map<string, number>();

  constructor(
    private readonly enabled = true,
    private readonly now: () => number = () => performance.now(),
  ) {}

  private window(name: string, limit: number, windowMs: number): Window {
    let w = this.windows.get(name);
    if (!w) {
      // one window per channel and DM: forget the quiet ones now and then
      if (this.windows.size >= 2000) {
        const now = this.now();
        for (const [k, v] of this.windows) if (v.idle(now)) this.windows.delete(k);
      }
      w = new Window(limit, windowMs);
      this.windows.set(name, w);
    }
    return w;
  }

  /** The windows a call of `method` with `args` counts against. */
  private windowsFor(method: string, args: Record<string, unknown>): Window[] {
    if (method === "auth.test" || method === "apps.connections.open") return [];
    if (method === "chat.postMessage") {
      const channel = typeof args.channel === "string" ? args.channel : "?";
      return [this.window(`channel:${channel}`, 1, CHANNEL_INTERVAL_MS), this.window("chat.postMessage", WORKSPACE_POSTS.limit, WORKSPACE_POSTS.windowMs)];
    }
    const tier = METHOD_TIER[method] ?? DEFAULT_TIER;
    return [this.window(method, TIER_PER_MINUTE[tier], TIER_WINDOW_MS)];
  }

  /**
   * Waits for the call's slot; or, when it is too far off, answers how long until it (the caller
   * defers: api.ts throws a PacedError). 0: go now. `interactive`: a person is waiting (a trigger's
   * 3 seconds): wait a moment at most, then go ahead regardless.
   */
  async take(method: string, args: Record<string, unknown>, opts: PaceOptions & { interactive?: boolean } = {}): Promise<number> {
    if (!this.enabled || opts.prepaid) return 0;
    const windows = this.windowsFor(method, args);
    if (windows.length === 0) return 0;
    const now = this.now();
    const scope = pacingScope.getStore();
    const key = scope ? `${scope.key}|${method}|${typeof args.channel === "string" ? args.channel : ""}` : undefined;
    const kept = key === undefined ? undefined : this.reservations.get(key);
    if (key !== undefined && kept !== undefined) {
      this.reservations.delete(key);
      // this job's deferred call, back for the slot it kept (late: it queues again)
      if (kept - now > INLINE_WAIT_MS) {
        this.reservations.set(key, kept);
        return kept - now;
      }
      if (now - kept <= LATE_MS) {
        await pause(kept - now);
        return 0;
      }
    }
    const at = Math.max(...windows.map((w) => w.earliest(now)));
    const wait = at - now;
    if (opts.mode === "skip" && wait > SKIP_WAIT_MS) return wait;
    // a person waiting on a trigger: a moment at most, else go ahead and let Slack decide
    if (opts.interactive && wait > INLINE_WAIT_MS) return 0;
    for (const w of windows) w.reserve(at);
    if (wait <= INLINE_WAIT_MS || key === undefined) {
      await pause(wait);
      return 0;
    }
    this.reservations.set(key, at);
    this.forgetStale(now);
    return wait;
  }

  private forgetStale(now: number): void {
    if (this.reservations.size < 1000) return;
    for (const [k, at] of this.reservations) if (at < now - RESERVATION_GRACE_MS) this.reservations.delete(k);
  }

  /** How long a call of `method` would wait now (0: it may go at once). For tests and the bench. */
  waitFor(method: string, args: Record<string, unknown> = {}): number {
    if (!this.enabled) return 0;
    const now = this.now();
    const windows = this.windowsFor(method, args);
    return windows.length === 0 ? 0 : Math.max(0, Math.max(...windows.map((w) => w.earliest(now))) - now);
  }
}

function pause(ms: number): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve) => setTimeout(resolve, Math.ceil(ms)));
}
