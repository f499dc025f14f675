// What every tracker client does for Warroom (GitHub, Jira Cloud, Linear), and the pacing that keeps
// each inside its published rate limits: calls one at a time, writes spaced as the tracker asks, and
// after a rate-limit answer every call waits out its Retry-After. Errors carry the tracker's own
// words and whether trying again can help. Tokens are never logged or put in an error.

import type { TrackerKind } from "../config/sections/followups.ts";

/** An issue as Warroom keeps it on the action item. */
export interface TrackerIssue {
  /** The tracker's own id: GitHub's number, Jira's id, Linear's uuid. */
  readonly id: string;
  /** How people say it: #12, OPS-34, ENG-7. */
  readonly key: string;
  readonly url: string;
}

export interface NewIssue {
  readonly itemId: number;
  readonly title: string;
  /** Markdown lines; the marker is among them. */
  readonly bodyLines: readonly string[];
  readonly labels: readonly string[];
  /** The tracker's id of the assignee, from assigneeFor. */
  readonly assignee?: string;
}

export interface Tracker {
  readonly kind: TrackerKind;
  /** GitHub, Jira, Linear. */
  readonly name: string;
  /** The issue whose body carries this item's marker, among those created since `since`. */
  findByMarker(itemId: number, since: Date): Promise<TrackerIssue | undefined>;
  create(issue: NewIssue): Promise<TrackerIssue>;
  /** The tracker's user with this e-mail, as the id `create` takes; undefined when none matches. */
  assigneeFor(email: string): Promise<string | undefined>;
  /** Closes the issue (GitHub: closed as completed; Jira: a transition to Done; Linear: the team's completed state). */
  close(issue: Pick<TrackerIssue, "id" | "key">): Promise<void>;
}

/** A call that did not succeed: refused for good (the tracker's reason), or worth trying again. */
export class TrackerError extends Error {
  constructor(
    message: string,
    readonly transient: boolean,
    readonly status?: number,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = "TrackerError";
  }
}

export const TRACKER_TIMEOUT_MS = 15_000;
/** The longest a Retry-After is taken at its word. */
const RETRY_AFTER_MAX_MS = 15 * 60_000;

/** Retry-After as seconds or an HTTP date, in milliseconds; or a rate-limit reset time (epoch seconds). */
export function waitFrom(retryAfter: string | null | undefined, resetEpochSeconds?: string | null, now = Date.now()): number | undefined {
  if (retryAfter) {
    const s = Number(retryAfter);
    if (Number.isFinite(s) && s >= 0) return Math.min(RETRY_AFTER_MAX_MS, Math.ceil(s * 1000));
    const at = Date.parse(retryAfter);
    if (!Number.isNaN(at)) return Math.min(RETRY_AFTER_MAX_MS, Math.max(0, at - now));
  }
  if (resetEpochSeconds) {
    const at = Number(resetEpochSeconds) * 1000;
    if (Number.isFinite(at) && at > 0) return Math.min(RETRY_AFTER_MAX_MS, Math.max(1000, at - now + 1000));
  }
  return undefined;
}

/**
 * One tracker's calls, one at a time: a write waits `writeIntervalMs` after the previous write, any
 * call waits `readIntervalMs` after the previous call, and after a rate-limit answer every call waits
 * until the tracker said to come back.
 */
export class Pacer {
  private chain: Promise<unknown> = Promise.resolve();
  private lastCall = 0;
  private lastWrite = 0;
  private holdUntil = 0;

  constructor(private readonly opts: { readonly writeIntervalMs: number; readonly readIntervalMs: number }) {}

  /** Runs `call` in its turn. */
  run<T>(write: boolean, call: () => Promise<T>): Promise<T> {
    const turn = this.chain.then(async () => {
      const now = Date.now();
      const at = Math.max(now, this.holdUntil, this.lastCall + this.opts.readIntervalMs, write ? this.lastWrite + this.opts.writeIntervalMs : 0);
      if (at > now) await new Promise((resolve) => setTimeout(resolve, at - now));
      try {
        return await call();
      } finally {
        this.lastCall = Date.now();
        if (write) this.lastWrite = this.lastCall;
      }
    });
    this.chain = turn.catch(() => undefined);
    return turn;
  }

  /** Every call waits `ms` from now (a rate-limit answer). */
  hold(ms: number): void {
    this.holdUntil = Math.max(this.holdUntil, Date.now() + ms);
  }
}

/** The first line of a tracker's message, cut for a person to read. */
export function reason(text: string): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > 300 ? `${line.slice(0, 299)}…` : line;
}

