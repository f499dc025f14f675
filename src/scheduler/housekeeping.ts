// Keeps the tables that only ever grow from growing without bound: finished jobs are kept a week (for
// looking into what happened), and the marks of carried-out requests a day (Slack redelivers an event
// within the hour, and a trigger expires in seconds). Deleted in small batches, so no long locks.

import type { Clock } from "../clock.ts";
import type { Logger } from "../log.ts";
import type { Db } from "../store/database.ts";

export const KEEP_FINISHED_JOBS_MS = 7 * 24 * 60 * 60 * 1000;
export const KEEP_REQUEST_MARKS_MS = 24 * 60 * 60 * 1000;
const BATCH = 5000;

export async function housekeep(db: Db, clock: Clock): Promise<{ jobs: number; requests: number }> {
  const now = clock.now().getTime();
  const jobsBefore = new Date(now - KEEP_FINISHED_JOBS_MS);
  const requestsBefore = new Date(now - KEEP_REQUEST_MARKS_MS);
  let jobs = 0;
  let requests = 0;
  for (;;) {
    const n = await db.$executeRaw`
      DELETE FROM jobs WHERE id IN (
        SELECT id FROM jobs WHERE status IN ('done', 'cancelled') AND finished_at < ${jobsBefore} LIMIT ${BATCH})`;
    jobs += n;
    if (n < BATCH) break;
  }
  for (;;) {
    const n = await db.$executeRaw`
      DELETE FROM processed_requests WHERE key IN (
        SELECT key FROM processed_requests WHERE received_at < ${requestsBefore} LIMIT ${BATCH})`;
    requests += n;
    if (n < BATCH) break;
  }
  return { jobs, requests };
}

/** Runs housekeeping now and then every `everyMs`; returns a function that stops it. */
export function startHousekeeping(db: Db, clock: Clock, log: Logger, everyMs = 60 * 60 * 1000): () => void {
  const run = async () => {
    try {
      const r = await housekeep(db, clock);
      if (r.jobs + r.requests > 0) log.info(r, "housekeeping: removed old finished jobs and request marks");
    } catch (err) {
      log.warn({ err }, "housekeeping failed; will try again");
    }
  };
  const first = setTimeout(() => void run(), 30_000);
  const timer = setInterval(() => void run(), everyMs);
  first.unref();
  timer.unref();
  return () => {
    clearTimeout(first);
    clearInterval(timer);
  };
}
