// Webhook events and their deliveries in PostgreSQL. Events are written in the transaction of the
// change they tell of, one incident's at a time (an advisory lock until commit), so their seq is the
// order they happened in. A delivery is claimed with a lease only when it is its incident's head (the
// lowest pending seq for that endpoint), so one incident's events go out in order, whichever process
// sends them, and none goes out twice at once.

import type { Db } from "./database.ts";
import { holdsLiveness, LIVE_PREFIX } from "./jobs.ts";
import { Prisma } from "./generated/client.ts";

export interface NewWebhookEvent {
  readonly id: string;
  readonly incidentId: string;
  readonly type: string;
  readonly body: string;
  readonly endpoints: readonly string[];
  readonly sourceKey?: string;
}

/** Writes events and their deliveries (inside the caller's transaction); returns the endpoints that got one. */
export async function insertWebhookEvents(tx: Prisma.TransactionClient, events: readonly NewWebhookEvent[], now: Date): Promise<Set<string>> {
  const touched = new Set<string>();
  if (events.length === 0) return touched;
  const incidents = [...new Set(events.map((e) => e.incidentId))].sort();
  for (const id of incidents) await tx.$queryRaw`SELECT 1 FROM pg_advisory_xact_lock(hashtext(${`webhooks:${id}`}))`;
  // one statement an event: the event (once per source, when it has one), its seq, a delivery per endpoint
  for (const e of events) {
    const rows = await tx.$queryRaw<{ made: number }[]>`
      WITH e AS (
        INSERT INTO webhook_events (id, incident_id, type, body, source_key, created_at)
        VALUES (${e.id}, ${e.incidentId}::uuid, ${e.type}, ${e.body}, ${e.sourceKey ?? null}, ${now}::timestamptz)
        ON CONFLICT (source_key) DO NOTHING
        RETURNING id, seq, incident_id),
      d AS (
        INSERT INTO webhook_deliveries (event_id, endpoint, incident_id, seq, next_at)
        SELECT e.id, endpoint, e.incident_id, e.seq, ${now}::timestamptz FROM e, unnest(${[...e.endpoints]}::text[]) AS endpoint
        ON CONFLICT (endpoint, event_id) DO NOTHING)
      SELECT count(*)::int AS made FROM e`;
    if ((rows[0]?.made ?? 0) === 0) continue;
    for (const endpoint of e.endpoints) touched.add(endpoint);
  }
  return touched;
}

export interface ClaimedDelivery {
  readonly id: bigint;
  readonly eventId: string;
  readonly incidentId: string;
  readonly body: string;
  readonly type: string;
  readonly attempts: number;
  readonly firstAttemptAt: Date | null;
}

/**
 * Claims up to `limit` due heads of `endpoint`'s incident queues for `worker`, leased until `until`.
 * A head locked by someone else (being sent) keeps its incident's later events waiting.
 */
export async function claimHeads(db: Db, endpoint: string, worker: string, now: Date, until: Date, limit: number): Promise<ClaimedDelivery[]> {
  const rows = await db.$queryRaw<{ id: bigint; event_id: string; incident_id: string; body: string; type: string; attempts: number; first_attempt_at: Date | null }[]>`
    WITH heads AS (
      SELECT DISTINCT ON (incident_id) id, next_at, locked_until
        FROM webhook_deliveries
       WHERE endpoint = ${endpoint} AND status = 'pending'
         AND NOT EXISTS (SELECT 1 FROM webhook_endpoints p WHERE p.key = ${endpoint} AND p.disabled_at IS NOT NULL)
       ORDER BY incident_id, seq),
    due AS (
      SELECT id FROM heads
       WHERE next_at <= ${now} AND (locked_until IS NULL OR locked_until < ${now})
       ORDER BY next_at
       LIMIT ${limit}),
    claimed AS (
      UPDATE webhook_deliveries d
         SET locked_by = ${worker}, locked_until = ${until}, attempts = d.attempts + 1, first_attempt_at = COALESCE(d.first_attempt_at, ${now})
       WHERE d.id IN (SELECT id FROM due) AND d.status = 'pending' AND (d.locked_until IS NULL OR d.locked_until < ${now})
      RETURNING d.id, d.event_id, d.incident_id, d.attempts, d.first_attempt_at)
    SELECT c.id, c.event_id, c.incident_id, c.attempts, c.first_attempt_at, e.body, e.type
      FROM claimed c JOIN webhook_events e ON e.id = c.event_id`;
  return rows.map((r) => ({ id: r.id, eventId: r.event_id, incidentId: r.incident_id, body: r.body, type: r.type, attempts: r.attempts, firstAttemptAt: r.first_attempt_at }));
}

/**
 * Frees the deliveries leased by bot processes that are gone (no liveness lock: liveness.ts), so they
 * are sent again now rather than when their lease runs out. Returns how many.
 */
export async function releaseDeliveriesOfDeadWorkers(db: Db, self: string, now: Date): Promise<number> {
  return db.$executeRaw`
    UPDATE webhook_deliveries d SET locked_by = NULL, locked_until = NULL
     WHERE d.status = 'pending' AND d.locked_until > ${now}
       AND d.locked_by LIKE ${`${LIVE_PREFIX}%`} AND d.locked_by <> ${self}
       AND NOT ${holdsLiveness(Prisma.raw("d.locked_by"))}`;
}

export async function markDelivered(db: Db, id: bigint, worker: string, status: number, now: Date): Promise<void> {
  await db.webhookDelivery.updateMany({ where: { id, lockedBy: worker }, data: { status: "delivered", deliveredAt: now, lastStatus: status, lastError: null, lockedBy: null, lockedUntil: null } });
}

export async function markRetry(db: Db, id: bigint, worker: string, nextAt: Date, status: number | null, error: string): Promise<void> {
  await db.webhookDelivery.updateMany({ where: { id, lockedBy: worker }, data: { nextAt, lastStatus: status, lastError: error.slice(0, 500), lockedBy: null, lockedUntil: null } });
}

export async function markFailed(db: Db, id: bigint, worker: string, status: number | null, error: string): Promise<void> {
  await db.webhookDelivery.updateMany({ where: { id, lockedBy: worker }, data: { status: "failed", lastStatus: status, lastError: error.slice(0, 500), lockedBy: null, lockedUntil: null } });
}

/** Gives a claimed delivery back untouched (the endpoint was paused meanwhile). */
export async function release(db: Db, id: bigint, worker: string): Promise<void> {
  await db.webhookDelivery.updateMany({ where: { id, lockedBy: worker }, data: { lockedBy: null, lockedUntil: null, attempts: { decrement: 1 } } });
}

/** When `endpoint` next has a delivery to try (its earliest pending head), if any. */
export async function nextDue(db: Db, endpoint: string): Promise<Date | undefined> {
  const rows = await db.$queryRaw<{ at: Date | null }[]>`
    SELECT min(GREATEST(next_at, COALESCE(locked_until, next_at))) AS at FROM (
      SELECT DISTINCT ON (incident_id) next_at, locked_until
        FROM webhook_deliveries
       WHERE endpoint = ${endpoint} AND status = 'pending'
       ORDER BY incident_id, seq) heads`;
  return rows[0]?.at ?? undefined;
}

export async function endpointPaused(db: Db, key: string): Promise<boolean> {
  const row = await db.webhookEndpointState.findUnique({ where: { key } });
  return Boolean(row?.disabledAt);
}

export async function pauseEndpoint(db: Db, key: string, url: string, reason: string, now: Date): Promise<boolean> {
  const r = await db.webhookEndpointState.updateMany({ where: { key, disabledAt: null }, data: { disabledAt: now, disabledReason: reason } });
  if (r.count === 0) {
    const made = await db.webhookEndpointState.createMany({ data: [{ key, url, disabledAt: now, disabledReason: reason }], skipDuplicates: true });
    return made.count === 1;
  }
  return true;
}

/** At start: the configured endpoints, each enabled again (a restart is how an operator says "try again"). */
export async function resumeEndpoints(db: Db, endpoints: readonly { key: string; url: string }[]): Promise<string[]> {
  const resumed: string[] = [];
  for (const e of endpoints) {
    const r = await db.webhookEndpointState.updateMany({ where: { key: e.key, disabledAt: { not: null } }, data: { disabledAt: null, disabledReason: null } });
    if (r.count > 0) resumed.push(e.url);
    else await db.webhookEndpointState.createMany({ data: [{ key: e.key, url: e.url }], skipDuplicates: true });
  }
  return resumed;
}
