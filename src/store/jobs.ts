// The durable job queue in PostgreSQL. Jobs are written in the same transaction as the change that
// needs them, so acknowledged work cannot be lost. A worker claims due jobs with a lease
// (`FOR UPDATE SKIP LOCKED`): with several bot processes on one database each job runs in one of them;
// a crashed worker's jobs are taken over as soon as its liveness lock is gone, or else when its leases
// expire. Completion and failure are fenced on the claimer, so a worker that lost its lease cannot
// overwrite the new owner's outcome.

import type { Db, Tx } from "./database.ts";
import { Prisma } from "./generated/client.ts";
import { execute } from "./sql.ts";

/** Ids of workers that hold a liveness lock (scheduler/liveness.ts) start with this. */
export const LIVE_PREFIX = "live-";

export type { Tx } from "./database.ts";

export interface JobDraft {
  readonly kind: string;
  readonly incidentId?: string;
  readonly payload?: Record<string, unknown>;
  /** Defaults to now. */
  readonly dueAt?: Date;
  /**
   * At most one pending job per key: a second enqueue is a no-op while the first waits. The key is
   * released when a worker claims the job, so a change made while it runs gets a job of its own.
   */
  readonly dedupeKey?: string;
}

export interface ClaimedJob {
  readonly id: number;
  readonly kind: string;
  readonly incidentId: string | null;
  readonly payload: Record<string, unknown>;
  readonly dueAt: Date;
  readonly attempts: number;
  /** Why the previous attempt failed, if it did. */
  readonly lastError?: string | null;
  readonly createdAt: Date;
}

/**
 * The channel a transaction that enqueues jobs notifies (`pg_notify`, delivered at its commit; the
 * empty payload folds one transaction's notifications into one). A job a worker gives back (retried,
 * postponed, its lease released) is that worker's own to look for again: it does not notify.
 */
export const JOBS_CHANNEL = "warroom_jobs";

export async function enqueue(tx: Tx, jobs: readonly JobDraft[], now: Date): Promise<void> {
  if (jobs.length === 0) return;
  // one statement: the jobs (a pending one with the same dedupe key wins) and, at the commit, every
  // listening worker hears of them (scheduler/wakeups.ts)
  const rows = jobs.map((j) => Prisma.sql`(${j.kind}, ${j.incidentId ?? null}::uuid, ${JSON.stringify(j.payload ?? {})}::jsonb, ${j.dueAt ?? now}::timestamptz, ${j.dedupeKey ?? null})`);
  await tx.$executeRaw`
    WITH j AS (
      INSERT INTO jobs (kind, incident_id, payload, due_at, dedupe_key)
      VALUES ${Prisma.join(rows)}
      ON CONFLICT DO NOTHING)
    SELECT pg_notify(${JOBS_CHANNEL}, '')`;
}

interface JobRow {
  id: number;
  kind: string;
  incident_id: string | null;
  payload: Record<string, unknown>;
  due_at: Date;
  attempts: number;
  last_error: string | null;
  created_at: Date;
}

/** Claims up to `limit` due jobs for `worker`, leased until now + leaseMs. */
export async function claimDue(db: Db, worker: string, now: Date, limit: number, leaseMs: number): Promise<ClaimedJob[]> {
  const until = new Date(now.getTime() + leaseMs);
  const rows = await db.$queryRaw<JobRow[]>`
    UPDATE jobs
       SET locked_by = ${worker}, locked_until = ${until}, attempts = attempts + 1, dedupe_key = NULL
     WHERE id IN (
       SELECT id FROM jobs
        WHERE status = 'pending' AND due_at <= ${now}
          AND (locked_until IS NULL OR locked_until < ${now})
        ORDER BY due_at
        LIMIT ${limit}
        FOR UPDATE SKIP LOCKED)
    RETURNING id, kind, incident_id, payload, due_at, attempts, last_error, created_at`;
  return rows.map((r) => ({ id: r.id, kind: r.kind, incidentId: r.incident_id, payload: r.payload, dueAt: r.due_at, attempts: r.attempts, lastError: r.last_error, createdAt: r.created_at }));
}

/**
 * When the next waiting job falls due (the earliest due time of the pending jobs nobody holds), or
 * undefined when none waits: an idle worker sleeps until then rather than polling for it.
 */
export async function nextDue(db: Db): Promise<Date | undefined> {
  const rows = await db.$queryRaw<{ next: Date | null }[]>`
    SELECT min(due_at) AS next FROM jobs WHERE status = 'pending' AND locked_by IS NULL`;
  return rows[0]?.next ?? undefined;
}


/**
 * Frees the leases of workers that hold no liveness lock any more (their process died or lost the
 * database; see liveness.ts), so their jobs run again now. Returns how many jobs were freed.
 */
export async function releaseLeasesOfDeadWorkers(db: Db, self: string, now: Date): Promise<number> {
  return db.$executeRaw`
    UPDATE jobs j
       SET locked_by = NULL, locked_until = NULL
     WHERE j.status = 'pending' AND j.locked_until > ${now}
       AND j.locked_by LIKE ${`${LIVE_PREFIX}%`} AND j.locked_by <> ${self}
       AND NOT ${holdsLiveness(Prisma.raw("j.locked_by"))}`;
}

/**
 * SQL true when the worker named by `holder` (a column) holds its liveness lock (liveness.ts): the
 * session advisory lock keyed by its id, in this database.
 */
export function holdsLiveness(holder: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`EXISTS (
         SELECT 1 FROM pg_locks l
          WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
            AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
            AND l.classid::bigint = ((hashtextextended(${holder}, 0) >> 32) & 4294967295)
            AND l.objid::bigint = (hashtextextended(${holder}, 0) & 4294967295))`;
}

/** Gives back the leases `worker` still holds (it is stopping): other workers may take those jobs at once. */
export async function releaseLeases(db: Db, worker: string): Promise<number> {
  return execute(db, Prisma.sql`UPDATE jobs SET locked_by = NULL, locked_until = NULL WHERE locked_by = ${worker} AND status = 'pending'`);
}

/** Extends the leases of jobs this worker is still running (its heartbeat). */
export async function extendLeases(db: Db, worker: string, ids: readonly number[], until: Date): Promise<void> {
  if (ids.length === 0) return;
  await execute(db, Prisma.sql`UPDATE jobs SET locked_until = ${until} WHERE id = ANY(${[...ids]}::int[]) AND locked_by = ${worker} AND status = 'pending'`);
}

// Every outcome below is fenced on the claimer: a worker that lost its lease changes nothing (false).

export async function complete(db: Db, job: ClaimedJob, worker: string, now: Date): Promise<boolean> {
  return (await execute(db, Prisma.sql`
    UPDATE jobs SET status = 'done', finished_at = ${now}, locked_by = NULL, locked_until = NULL, last_error = NULL
     WHERE id = ${job.id} AND locked_by = ${worker} AND status = 'pending'`)) === 1;
}

export async function retryLater(db: Db, job: ClaimedJob, worker: string, dueAt: Date, error: string): Promise<boolean> {
  return (await execute(db, Prisma.sql`
    UPDATE jobs SET due_at = ${dueAt}, locked_by = NULL, locked_until = NULL, last_error = ${error.slice(0, 2000)}
     WHERE id = ${job.id} AND locked_by = ${worker} AND status = 'pending'`)) === 1;
}

/**
 * Runs the job again at `dueAt` without counting the attempt just made (it was held back, or is
 * waiting for something on its way: `waitingFor` names it, so it can be woken early).
 */
export async function postpone(db: Db, job: ClaimedJob, worker: string, dueAt: Date, waitingFor?: string): Promise<boolean> {
  const reason = waitingFor === undefined ? Prisma.sql`last_error` : Prisma.sql`${waitingFor}`;
  return (await execute(db, Prisma.sql`
    UPDATE jobs SET due_at = ${dueAt}, locked_by = NULL, locked_until = NULL, attempts = attempts - 1, last_error = ${reason}
     WHERE id = ${job.id} AND locked_by = ${worker} AND status = 'pending'`)) === 1;
}

export async function giveUp(db: Db, job: ClaimedJob, worker: string, now: Date, error: string): Promise<boolean> {
  return (await execute(db, Prisma.sql`
    UPDATE jobs SET status = 'dead', finished_at = ${now}, locked_by = NULL, locked_until = NULL, last_error = ${error.slice(0, 2000)}
     WHERE id = ${job.id} AND locked_by = ${worker} AND status = 'pending'`)) === 1;
}

/** Cancels pending jobs of some kinds for an incident (e.g. reminders on resolve). */
export async function cancelPending(tx: Tx, incidentId: string, kinds: readonly string[], now: Date): Promise<number> {
  return execute(tx, Prisma.sql`
    UPDATE jobs SET status = 'cancelled', finished_at = ${now}, dedupe_key = NULL
     WHERE incident_id = ${incidentId}::uuid AND kind = ANY(${[...kinds]}::text[]) AND status = 'pending'`);
}

/** Makes a waiting incident's jobs due now: those whose last attempt failed for one of `reasons`. */
export async function wakeWaiting(db: Db, incidentId: string, reasons: readonly string[], now: Date): Promise<number> {
  return execute(db, Prisma.sql`
    UPDATE jobs SET due_at = ${now}
     WHERE incident_id = ${incidentId}::uuid AND status = 'pending' AND locked_by IS NULL AND last_error = ANY(${[...reasons]}::text[]) AND due_at > ${now}`);
}
