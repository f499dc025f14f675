// The status page Warroom serves itself, in PostgreSQL: each public incident (what the form said,
// under an id of its own) and its updates. A publication is one transaction: the incident's row is
// locked, an earlier publication still waiting makes this one wait, and the update is written under
// the key of the job that published it, so a retried job adds nothing.

import { randomBytes } from "node:crypto";
import type { Db } from "./database.ts";
import type { StatusPageIncident, StatusPageUpdate } from "./generated/client.ts";
import type { Tx } from "./jobs.ts";

export type PageIncidentRow = StatusPageIncident;
export type PageUpdateRow = StatusPageUpdate;
export type PageIncidentWithUpdates = StatusPageIncident & { updates: StatusPageUpdate[] };

/** A public id: 12 characters of [a-z0-9], as Statuspage's ids look, saying nothing about the incident. */
export function publicId(): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  const bytes = randomBytes(12);
  let id = "";
  for (const b of bytes) id += alphabet[b % alphabet.length];
  return id;
}

export async function pageIncidentOf(db: Tx, incidentId: string): Promise<PageIncidentRow | null> {
  return db.statusPageIncident.findUnique({ where: { incidentId } });
}

export interface PageUpdateInput {
  readonly name: string;
  readonly status: string;
  readonly body: string;
  readonly impact: string;
  readonly componentIds: readonly string[];
}

/**
 * Whether an earlier publication of the same incident (a lower job id of `jobKind`) is still waiting:
 * publications land in the order they were asked for.
 */
export async function earlierPublicationWaits(db: Db, incidentId: string, jobKind: string, jobId: number): Promise<boolean> {
  const n = await db.job.count({ where: { kind: jobKind, incidentId, status: "pending", id: { lt: jobId } } });
  return n > 0;
}

/**
 * Writes one publication: the public incident (created the first time) and its update, keyed by
 * `sourceKey`. "unchanged" when the page already says exactly this; "again" when this source was
 * written before (a retry after a crash).
 */
export async function writePublication(
  tx: Tx,
  incidentId: string,
  p: PageUpdateInput,
  sourceKey: string,
  at: Date,
  saysTheSame: (current: PageIncidentRow, latestBody: string | null) => boolean,
): Promise<{ how: "created" | "updated" | "unchanged" | "again"; first?: boolean; row: PageIncidentRow }> {
  const done = await tx.statusPageUpdate.findUnique({ where: { sourceKey }, include: { publicIncident: true } });
  if (done) {
    // written before this run (a retry after a crash): whether it was the one that created the incident
    const earlier = await tx.statusPageUpdate.count({ where: { publicIncidentId: done.publicIncidentId, createdAt: { lt: done.createdAt } } });
    return { how: "again", first: earlier === 0, row: done.publicIncident };
  }
  // one publication of an incident at a time: the row (or, before it exists, the incident's) is locked
  await tx.$queryRaw`SELECT id FROM incidents WHERE id = ${incidentId}::uuid FOR UPDATE`;
  const current = await tx.statusPageIncident.findUnique({ where: { incidentId } });
  const resolvedAt = p.status === "resolved" ? at : null;
  if (!current) {
    const row = await tx.statusPageIncident.create({
      data: { id: publicId(), incidentId, name: p.name, status: p.status, impact: p.impact, componentIds: [...p.componentIds], createdAt: at, updatedAt: at, resolvedAt },
    });
    await tx.statusPageUpdate.create({ data: { id: publicId(), publicIncidentId: row.id, status: p.status, body: p.body, impact: p.impact, componentIds: [...p.componentIds], createdAt: at, sourceKey } });
    return { how: "created", row };
  }
  const latest = await tx.statusPageUpdate.findFirst({ where: { publicIncidentId: current.id }, orderBy: { createdAt: "desc" }, select: { body: true } });
  if (saysTheSame(current, latest?.body ?? null)) return { how: "unchanged", row: current };
  const row = await tx.statusPageIncident.update({
    where: { id: current.id },
    data: {
      name: p.name,
      status: p.status,
      impact: p.impact,
      componentIds: [...p.componentIds],
      updatedAt: at,
      // resolved once: a later update of a resolved incident keeps when it was resolved; reopening clears it
      resolvedAt: p.status === "resolved" ? (current.resolvedAt ?? at) : null,
    },
  });
  await tx.statusPageUpdate.create({ data: { id: publicId(), publicIncidentId: row.id, status: p.status, body: p.body, impact: p.impact, componentIds: [...p.componentIds], createdAt: at, sourceKey } });
  return { how: "updated", row };
}

/** What the page is drawn from: its incidents created since `since`, and every one still open, with their updates. */
export async function pageIncidents(db: Db, since: Date): Promise<PageIncidentWithUpdates[]> {
  return db.statusPageIncident.findMany({
    where: { OR: [{ resolvedAt: null }, { resolvedAt: { gte: since } }, { createdAt: { gte: since } }] },
    include: { updates: { orderBy: { createdAt: "asc" } } },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
  });
}

/** A change marker: the number of updates and the newest one's time (cheap, from the index). */
export async function pageGeneration(db: Db): Promise<string> {
  const rows = await db.$queryRaw<{ n: bigint; last: Date | null }[]>`SELECT count(*) AS n, max(created_at) AS last FROM status_page_updates`;
  const r = rows[0];
  return `${String(r?.n ?? 0)}:${r?.last?.getTime() ?? 0}`;
}
