// What the HTTP API reads and writes: pages of incidents newest first (keyset pagination on the
// declaration time and id, over the index on both), export batches, the Idempotency-Key answers.

import type { Incident } from "../domain/incident.ts";
import type { Db } from "./database.ts";
import type { Prisma } from "./generated/client.ts";
import { toIncident, withResponders } from "./incidents.ts";

export interface IncidentFilter {
  status: "open" | "resolved" | "closed" | "all";
  since?: Date | undefined;
  until?: Date | undefined;
  drills: "exclude" | "include" | "only";
}

/** Where a page ends: the last incident's declaration time and id. */
export interface Cursor {
  at: Date;
  id: string;
}

const OPEN = ["investigating", "identified", "monitoring"] as const;

function where(teamId: string, f: IncidentFilter, after?: Cursor): Prisma.IncidentWhereInput {
  return {
    teamId,
    ...(f.status === "open" ? { status: { in: [...OPEN] } } : f.status === "all" ? {} : { status: f.status }),
    ...(f.drills === "exclude" ? { isDrill: false } : f.drills === "only" ? { isDrill: true } : {}),
    ...(f.since || f.until ? { declaredAt: { ...(f.since ? { gte: f.since } : {}), ...(f.until ? { lt: f.until } : {}) } } : {}),
    ...(after ? { OR: [{ declaredAt: { lt: after.at } }, { declaredAt: after.at, id: { lt: after.id } }] } : {}),
  };
}

/** One page, newest first; `next` is where the following page starts (none after the last). */
export async function incidentPage(db: Db, teamId: string, f: IncidentFilter, limit: number, after?: Cursor): Promise<{ incidents: Incident[]; next: Cursor | null }> {
  const rows = await db.incident.findMany({ where: where(teamId, f, after), orderBy: [{ declaredAt: "desc" }, { id: "desc" }], take: limit + 1, include: withResponders });
  const page = rows.slice(0, limit).map(toIncident);
  const last = page.at(-1);
  return { incidents: page, next: rows.length > limit && last ? { at: last.declaredAt, id: last.id } : null };
}

/** The columns the incidents export needs, a batch at a time (memory stays flat however many there are). */
export async function* exportBatches(db: Db, teamId: string, f: IncidentFilter, batch = 1000) {
  let after: Cursor | undefined;
  for (;;) {
    const rows = await db.incident.findMany({
      where: where(teamId, f, after),
      orderBy: [{ declaredAt: "desc" }, { id: "desc" }],
      take: batch,
      select: {
        id: true,
        number: true,
        title: true,
        severity: true,
        status: true,
        isPrivate: true,
        isDrill: true,
        declaredBy: true,
        declaredAt: true,
        impactStartedAt: true,
        detectedAt: true,
        acknowledgedAt: true,
        mitigatedAt: true,
        resolvedAt: true,
        closedAt: true,
        timestampSources: true,
        punctKept: true,
        punctMissed: true,
        punctPendingAt: true,
        channelId: true,
      },
    });
    if (rows.length === 0) return;
    yield rows;
    const last = rows.at(-1) as (typeof rows)[number];
    after = { at: last.declaredAt, id: last.id };
    if (rows.length < batch) return;
  }
}

/** Action items of the incidents a filter selects, a batch at a time. */
export async function* actionItemBatches(db: Db, teamId: string, f: IncidentFilter, batch = 1000) {
  let afterId = 0;
  for (;;) {
    const rows = await db.actionItem.findMany({
      where: { id: { gt: afterId }, incident: where(teamId, f) },
      orderBy: { id: "asc" },
      take: batch,
      include: { incident: { select: { number: true } } },
    });
    if (rows.length === 0) return;
    yield rows;
    afterId = (rows.at(-1) as (typeof rows)[number]).id;
    if (rows.length < batch) return;
  }
}

export async function findByNumber(db: Db, teamId: string, number: number): Promise<Incident | undefined> {
  const row = await db.incident.findUnique({ where: { teamId_number: { teamId, number } }, include: withResponders });
  return row ? toIncident(row) : undefined;
}

export async function storedAnswer(db: Db, key: string): Promise<{ fingerprint: string; status: number; body: unknown } | undefined> {
  const row = await db.apiRequest.findUnique({ where: { key } });
  return row ? { fingerprint: row.fingerprint, status: row.status, body: row.body } : undefined;
}

/** Keeps the first answer to a key; returns the one kept (another request may have stored it first). */
export async function storeAnswer(db: Db, key: string, fingerprint: string, status: number, body: unknown): Promise<{ status: number; body: unknown; fingerprint: string }> {
  await db.apiRequest.createMany({ data: [{ key, fingerprint, status, body: body as Prisma.InputJsonValue }], skipDuplicates: true });
  const kept = await storedAnswer(db, key);
  return kept ?? { status, body, fingerprint };
}
