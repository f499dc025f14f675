// The durable job loop: claim due jobs, run them, mark them done; on failure retry with backoff
// (honouring Slack's Retry-After), and after too many attempts mark the job dead, loudly: the error is
// logged and the `onDead` hook tells the people concerned. Nothing is dropped silently.

import { randomUUID } from "node:crypto";
import type { PoolConfig } from "pg";
import { setTimeout as sleep } from "node:timers/promises";
import type { Clock } from "../clock.ts";
import type { Logger } from "../log.ts";
import { PacedError, SlackCallError } from "../slack/api.ts";
import { Foreground, step } from "../foreground.ts";
import { pacingScope, RETURN_EARLY_MS } from "../slack/pacing.ts";
import type { Db } from "../store/database.ts";
import { LIVE_PREFIX } from "../store/jobs.ts";
import { type ClaimedJob, claimDue, complete, extendLeases, giveUp, nextDue, postpone, releaseLeases, releaseLeasesOfDeadWorkers, retryLater } from "../store/jobs.ts";
import { Wakeups } from "./wakeups.ts";

export type JobHandler = (job: ClaimedJob) => Promise<void>;

/** A failure that retrying cannot fix. */
export class PermanentJobError extends Error {}

/** How long a stopping worker lets its running jobs finish. */
export const STOP_DRAIN_MS = 10_000;

/** A failure that should be retried at a given time (e.g. a dependency not ready yet). */
export class RetryJobError extends Error {
  constructor(
    message: string,
    readonly afterMs?: number,
    /**
     * Waiting for something on its way (the incident channel being created): not an attempt, for
     * the first WAITING_LIMIT_MS of the job's life; it can be woken early (wakeWaiting, by message).
     */
    readonly waiting = false,
  ) {
    super(message);
  }
}

/** How long a job may wait for something on its way before its waits count as attempts. */
export const WAITING_LIMIT_MS = 60 * 60 * 1000;

export interface WorkerOptions {
  /** How long an idle worker waits before looking again, when nothing wakes it sooner. */
  pollMs?: number;
  /**
   * Listen for new jobs (LISTEN/NOTIFY) on a connection of its own to this database: work enqueued
   * anywhere starts at once, a timed job when it falls due, and polling is only the fallback, every
   * `listeningPollMs` while the connection listens (every `pollMs` while it does not).
   */
  listen?: PoolConfig;
  listeningPollMs?: number;
  leaseMs?: number;
  concurrency?: number;
  maxAttempts?: number;
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  onDead?: (job: ClaimedJob, error: unknown) => Promise<void>;
  /**
   * A job is blocked on something only an admin can fix (a missing scope, a revoked token): it is
   * kept and retried every `maxBackoffMs`; this hook tells people, once per cause.
   */
  onBlocked?: (job: ClaimedJob, error: unknown) => Promise<void>;
  /**
   * How many Slack requests are being handled right now. While there are some, the worker runs at
   * most `busyConcurrency` jobs, so acknowledgements are not queued behind background work.
   */
  requestsInFlight?: () => number;
  busyConcurrency?: number;
  /**
   * Requests being answered (foreground.ts): while there are, the worker runs at most
   * `busyConcurrency` jobs, and each job's steps wait their turn.
   */
  foreground?: Foreground;
  /**
   * This worker holds a liveness lock under its id (liveness.ts; taken by the caller before start),
   * and frees the leases of workers whose lock is gone, so a crashed process's jobs resume at once.
   */
  live?: boolean;
}

export class Worker {
  readonly id: string;
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly runningIds = new Set<number>();
  private heartbeat: NodeJS.Timeout | undefined;
  private readonly opts: Required<Omit<WorkerOptions, "onDead" | "onBlocked" | "requestsInFlight" | "live" | "listen" | "foreground">> & Pick<WorkerOptions, "onDead" | "onBlocked" | "requestsInFlight">;
  private readonly foreground: Foreground;
  private quiet: Promise<void> | undefined;
  private readonly live: boolean;
  private readonly wakeups: Wakeups | undefined;
  /** Something asked for a look while the loop was busy claiming: look again before sleeping. */
  private kicked = false;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly handlers: Readonly<Record<string, JobHandler>>,
    opts: WorkerOptions = {},
  ) {
    this.live = opts.live ?? false;
    this.foreground = opts.foreground ?? new Foreground();
    this.id = `${this.live ? LIVE_PREFIX : "worker-"}${process.pid}-${randomUUID().slice(0, 8)}`;
    this.opts = {
      pollMs: opts.pollMs ?? 250,
      listeningPollMs: opts.listeningPollMs ?? 2000,
      // short, and renewed while a job runs: a dead worker's jobs are taken over within seconds
      leaseMs: opts.leaseMs ?? 15_000,
      concurrency: opts.concurrency ?? 16,
      maxAttempts: opts.maxAttempts ?? 30,
      baseBackoffMs: opts.baseBackoffMs ?? 1000,
      maxBackoffMs: opts.maxBackoffMs ?? 300_000,
      busyConcurrency: opts.busyConcurrency ?? 2,
      ...(opts.onDead ? { onDead: opts.onDead } : {}),
      ...(opts.onBlocked ? { onBlocked: opts.onBlocked } : {}),
      ...(opts.requestsInFlight ? { requestsInFlight: opts.requestsInFlight } : {}),
    };
    this.wakeups = opts.listen ? new Wakeups(opts.listen, `${this.id}:listen`, log, () => this.kick()) : undefined;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.kicked = false;
    void this.wakeups?.start();
    this.loop = this.run();
    this.heartbeat = setInterval(() => void this.beat(), Math.max(100, Math.floor(this.opts.leaseMs / 3)));
    this.heartbeat.unref();
    void this.takeOverFromTheDead();
  }

  private async beat(): Promise<void> {
    try {
      await extendLeases(this.db, this.id, [...this.runningIds], new Date(this.clock.now().getTime() + this.opts.leaseMs));
    } catch (err) {
      this.log.warn({ err }, "could not renew job leases");
    }
    await this.takeOverFromTheDead();
  }

  private async takeOverFromTheDead(): Promise<void> {
    if (!this.live || !this.running) return;
    try {
      const freed = await releaseLeasesOfDeadWorkers(this.db, this.id, this.clock.now());
      if (freed > 0) {
        this.log.warn({ jobs: freed }, "taking over work a stopped bot process left unfinished");
        this.kick();
      }
    } catch (err) {
      this.log.warn({ err }, "could not look for work a stopped bot process left unfinished");
    }
  }

  /** Look for due work now rather than at the next poll (after a journey enqueued some). */
  kick(): void {
    this.kicked = true;
    this.wake?.();
  }

  /**
   * Stops claiming, lets the running jobs finish for up to `drainMs`, then gives back the leases of
   * any still running, so another worker (or the next start) takes them over at once.
   */
  async stop(drainMs = STOP_DRAIN_MS): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.wakeups?.stop();
    await this.loop;
    let timer: NodeJS.Timeout | undefined;
    const drained = await Promise.race([
      Promise.allSettled(this.inFlight).then(() => true),
      new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), drainMs);
      }),
    ]);
    clearTimeout(timer);
    clearInterval(this.heartbeat);
    if (!drained) {
      const released = await releaseLeases(this.db, this.id).catch(() => 0);
      this.log.warn({ running: this.inFlight.size, released, drainMs }, "jobs still running when the drain time ran out; their leases are given back and they run again elsewhere");
    }
  }

  private async run(): Promise<void> {
    while (this.running) {
      this.kicked = false;
      let claimed = 0;
      // held back by requests being answered (foreground.ts); Slack listeners still running (they may
      // outlast their ack) only keep the number of jobs down
      const held = this.foreground.busy;
      const busy = held || (this.opts.requestsInFlight?.() ?? 0) > 0;
      const limit = busy ? this.opts.busyConcurrency : this.opts.concurrency;
      const free = limit - this.inFlight.size;
      if (free > 0) {
        try {
          const jobs = await claimDue(this.db, this.id, this.clock.now(), free, this.opts.leaseMs);
          claimed = jobs.length;
          for (const job of jobs) this.track(this.execute(job));
        } catch (err) {
          this.log.error({ err }, "could not claim jobs; the database may be unavailable");
        }
      }
      if (claimed > 0 && claimed === free) continue;
      // held back by requests: look again as soon as they are answered, not at the next poll
      if (held && this.inFlight.size < this.opts.concurrency) await Promise.race([this.untilQuiet(), this.idle(Number.POSITIVE_INFINITY)]);
      else await this.idle(free > 0 ? await this.untilNextDue() : Number.POSITIVE_INFINITY);
    }
  }

  /** When the requests being answered are (one wait however often the loop comes back while they last). */
  private untilQuiet(): Promise<void> {
    this.quiet ??= this.foreground.whenQuiet(250).finally(() => {
      this.quiet = undefined;
    });
    return this.quiet;
  }

  /** How long until the next waiting job falls due, as far as the database knows (0: due now). */
  private async untilNextDue(): Promise<number> {
    try {
      const next = await nextDue(this.db);
      return next === undefined ? Number.POSITIVE_INFINITY : Math.max(0, next.getTime() - this.clock.now().getTime());
    } catch {
      // the claim just logged the database's trouble; the poll looks again
      return Number.POSITIVE_INFINITY;
    }
  }

  private idle(dueInMs: number): Promise<void> {
    if (this.kicked || !this.running) return Promise.resolve();
    const pollMs = this.wakeups?.listening ? this.opts.listeningPollMs : this.opts.pollMs;
    // a job due between now and the poll: wake for it, a hair after its due time; one due already
    // that the claim did not get is being claimed by another worker's transaction: look again soon
    const ms = Math.min(pollMs, dueInMs === 0 ? 10 : dueInMs + 1);
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = undefined;
        done();
      };
    });
  }

  private track(p: Promise<void>): void {
    this.inFlight.add(p);
    void p.finally(() => {
      this.inFlight.delete(p);
      // a finished job frees a slot: look for more work at once
      this.wake?.();
    });
  }

  private async execute(job: ClaimedJob): Promise<void> {
    const handler = this.handlers[job.kind];
    const started = Date.now();
    this.runningIds.add(job.id);
    try {
      if (!handler) throw new PermanentJobError(`no handler for job kind "${job.kind}"`);
      // the job's Slack calls keep their paced slots under its id when they are deferred
      // background work: it starts, and takes each step, when no request is being answered (foreground.ts)
      await this.foreground.background(() =>
        pacingScope.run({ key: `job:${job.id}` }, async () => {
          await step();
          await handler(job);
        }),
      );
      await this.settle(() => complete(this.db, job, this.id, this.clock.now()), job);
      this.log.debug({ job: job.id, kind: job.kind, ms: Date.now() - started }, "job done");
    } catch (err) {
      await this.fail(job, err);
    } finally {
      this.runningIds.delete(job.id);
    }
  }

  private async fail(job: ClaimedJob, err: unknown): Promise<void> {
    const message = describe(err);
    if (err instanceof RetryJobError && err.waiting && this.clock.now().getTime() - job.createdAt.getTime() < WAITING_LIMIT_MS) {
      this.log.debug({ job: job.id, kind: job.kind, incident: job.incidentId, error: message }, "job waiting");
      await this.settle(() => postpone(this.db, job, this.id, new Date(this.clock.now().getTime() + (err.afterMs ?? 2000)), message), job);
      return;
    }
    if (err instanceof PacedError) {
      // held back to stay inside Slack's rate limits: not a failure, and not an attempt
      // back a moment before its slot, to wait the rest in place (pacing.ts)
      const delay = Math.max(0, Math.ceil((err.retryAfter ?? 1) * 1000) - RETURN_EARLY_MS);
      this.log.debug({ job: job.id, kind: job.kind, method: err.method, retryInMs: delay }, "job paced to Slack's rate limit");
      await this.settle(() => postpone(this.db, job, this.id, new Date(this.clock.now().getTime() + delay)), job);
      return;
    }
    if (err instanceof SlackCallError && NEEDS_ADMIN.has(err.code) && job.attempts < this.opts.maxAttempts) {
      const delay = this.opts.maxBackoffMs;
      this.log.error({ job: job.id, kind: job.kind, incident: job.incidentId, attempts: job.attempts, method: err.method, code: err.code, retryInMs: delay }, "job blocked until an admin fixes the app's Slack access; will keep trying");
      if (job.lastError !== message && this.opts.onBlocked) await this.opts.onBlocked(job, err).catch((e: unknown) => this.log.error({ err: e, job: job.id }, "could not report a blocked job"));
      await this.settle(() => retryLater(this.db, job, this.id, new Date(this.clock.now().getTime() + delay), message), job);
      return;
    }
    const permanent = err instanceof PermanentJobError || (err instanceof SlackCallError && !err.transient && !isRetryableSlack(err));
    if (permanent || job.attempts >= this.opts.maxAttempts) {
      this.log.error({ job: job.id, kind: job.kind, incident: job.incidentId, attempts: job.attempts, err }, "job failed for good");
      await this.settle(() => giveUp(this.db, job, this.id, this.clock.now(), message), job);
      if (this.opts.onDead) await this.opts.onDead(job, err).catch((e: unknown) => this.log.error({ err: e, job: job.id }, "could not report a dead job"));
      return;
    }
    const delay = this.backoff(job.attempts, err);
    // waiting for something that is on its way (e.g. the channel) is expected, not a problem
    const level = err instanceof RetryJobError ? "debug" : "warn";
    this.log[level]({ job: job.id, kind: job.kind, incident: job.incidentId, attempts: job.attempts, retryInMs: delay, error: message }, "job failed; will retry");
    await this.settle(() => retryLater(this.db, job, this.id, new Date(this.clock.now().getTime() + delay), message), job);
  }

  /** Records an outcome, retrying briefly if the database blinks; the lease covers a total failure. */
  private async settle(write: () => Promise<boolean>, job: ClaimedJob): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        if (!(await write())) this.log.warn({ job: job.id, kind: job.kind }, "job outcome not recorded: the lease was lost to another worker");
        return;
      } catch (err) {
        if (attempt >= 5) {
          this.log.error({ err, job: job.id }, "could not record a job outcome; its lease will expire and it will run again");
          return;
        }
        await sleep(200 * attempt);
      }
    }
  }

  private backoff(attempts: number, err: unknown): number {
    // a hair past Retry-After, which the Slack client also keeps (api.ts)
    if (err instanceof SlackCallError && err.retryAfter !== undefined) return Math.ceil(err.retryAfter * 1000) + 25;
    if (err instanceof RetryJobError && err.afterMs !== undefined) return err.afterMs;
    const exp = Math.min(this.opts.maxBackoffMs, this.opts.baseBackoffMs * 2 ** Math.max(0, attempts - 1));
    return Math.round(exp * (0.8 + Math.random() * 0.4));
  }
}

/**
 * Slack errors only an admin can fix: the app lacks a scope, its token was revoked, a workspace policy
 * forbids it. The work waits for the fix rather than being dropped.
 */
const NEEDS_ADMIN = new Set([
  "missing_scope",
  "not_allowed_token_type",
  "invalid_auth",
  "not_authed",
  "account_inactive",
  "token_revoked",
  "token_expired",
  "no_permission",
  "restricted_action",
  "ekm_access_denied",
  "team_access_not_granted",
]);

/** Slack errors that are not "transient" in Slack's sense but may clear up by themselves. */
function isRetryableSlack(err: SlackCallError): boolean {
  return err.code.startsWith("http_") || err.code === "network" || err.code === "timeout";
}

function describe(err: unknown): string {
  if (err instanceof SlackCallError) return `${err.method}: ${err.code}`;
  if (err instanceof Error) return err.message;
  return String(err);
}
