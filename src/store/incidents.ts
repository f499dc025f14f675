// Incidents in the database: rows ↔ the domain's Incident, the declaration transaction, and saving a
// decision. Every save is a compare-and-set on the row's version in one transaction with its role
// history, timeline entries and follow-up jobs: two people acting at once cannot both win, and nothing
// a user was told happened can be half-written.

import { z } from "zod";
import type { Incident, IncidentEvent } from "../domain/incident.ts";
import { isSingleRole, type SingleRole } from "../domain/roles.ts";
import type { TimelineDraft } from "../domain/timeline.ts";
import { cancelPending, enqueue, type JobDraft, type Tx } from "./jobs.ts";
import type { Db } from "./database.ts";
import { Prisma } from "./generated/client.ts";
import { select } from "./sql.ts";

const ROLE_COLUMN = {
  ic: "icId",
  tech: "techLeadId",
  comms: "commsLeadId",
  scribe: "scribeId",
} as const satisfies Record<SingleRole, keyof Prisma.IncidentUncheckedCreateInput>;

/** The columns an Incident is made of, and its responders in the order they joined. */
type Row = Omit<Prisma.IncidentGetPayload<object>, "declareKey" | "originChannelId" | "responseUrl" | "checklistTs" | "punctKept" | "punctMissed" | "punctPendingAt" | "rootCause" | "createdAt" | "updatedAt"> & {
  readonly responders: readonly { readonly userId: string }[];
};

export const withResponders = { responders: { orderBy: { addedAt: "asc" } } } as const;

/** The same columns, and the same responders, in one statement (an ORM read with its include is two). */
const INCIDENT_COLUMNS = Prisma.sql`
  i.id, i.team_id AS "teamId", i.number, i.title, i.severity, i.status, i.is_private AS "isPrivate", i.is_drill AS "isDrill",
  i.impact, i.detection, i.declared_by AS "declaredBy", i.declared_at AS "declaredAt",
  i.ic_id AS "icId", i.tech_lead_id AS "techLeadId", i.comms_lead_id AS "commsLeadId", i.scribe_id AS "scribeId",
  i.channel_id AS "channelId", i.channel_name AS "channelName", i.opening_ts AS "openingTs", i.status_summary AS "statusSummary",
  i.last_update_at AS "lastUpdateAt", i.next_update_due_at AS "nextUpdateDueAt", i.resolved_at AS "resolvedAt", i.closed_at AS "closedAt",
  i.impact_started_at AS "impactStartedAt", i.detected_at AS "detectedAt", i.acknowledged_at AS "acknowledgedAt", i.mitigated_at AS "mitigatedAt",
  i.timestamp_sources AS "timestampSources", i.cadence_epoch AS "cadenceEpoch", i.severity_changed_at AS "severityChangedAt",
  i.snoozed_until AS "snoozedUntil", i.version,
  COALESCE((SELECT json_agg(json_build_object('userId', r.user_id) ORDER BY r.added_at) FROM responders r WHERE r.incident_id = i.id), '[]'::json) AS responders`;

async function loadOne(db: Tx, where: Prisma.Sql): Promise<Incident | undefined> {
  const [row] = await select<Row>(db, Prisma.sql`SELECT ${INCIDENT_COLUMNS} FROM incidents i WHERE ${where}`);
  return row ? toIncident(row) : undefined;
}

export function toIncident(row: Row): Incident {
  return {
    id: row.id,
    teamId: row.teamId,
    number: row.number,
    title: row.title,
    severity: row.severity,
    status: row.status,
    isPrivate: row.isPrivate,
    isDrill: row.isDrill,
    impact: row.impact,
    detection: row.detection,
    declaredBy: row.declaredBy,
    declaredAt: row.declaredAt,
    roles: { ic: row.icId, tech: row.techLeadId, comms: row.commsLeadId, scribe: row.scribeId },
    responders: row.responders.map((r) => r.userId),
    channelId: row.channelId,
    channelName: row.channelName,
    openingTs: row.openingTs,
    statusSummary: row.statusSummary,
    lastUpdateAt: row.lastUpdateAt,
    nextUpdateDueAt: row.nextUpdateDueAt,
    resolvedAt: row.resolvedAt,
    closedAt: row.closedAt,
    impactStartedAt: row.impactStartedAt,
    detectedAt: row.detectedAt,
    acknowledgedAt: row.acknowledgedAt,
    mitigatedAt: row.mitigatedAt,
    timestampSources: (row.timestampSources ?? {}) as Incident["timestampSources"],
    cadenceEpoch: row.cadenceEpoch,
    severityChangedAt: row.severityChangedAt,
    snoozedUntil: row.snoozedUntil,
    version: row.version,
  };
}

export async function loadIncident(db: Tx, id: string): Promise<Incident | undefined> {
  // not a uuid: no such incident (the cast would refuse it)
  if (!z.uuid().safeParse(id).success) return undefined;
  return loadOne(db, Prisma.sql`i.id = ${id}::uuid`);
}

export async function findByChannel(db: Tx, channelId: string): Promise<Incident | undefined> {
  return loadOne(db, Prisma.sql`i.channel_id = ${channelId}`);
}

export async function findByDeclareKey(db: Tx, declareKey: string): Promise<Incident | undefined> {
  return loadOne(db, Prisma.sql`i.declare_key = ${declareKey}`);
}

/** The same person declaring the same title again shortly after (a double submission). */
export async function findRecentDuplicate(db: Tx, teamId: string, declaredBy: string, title: string, since: Date): Promise<Incident | undefined> {
  // almost always none: its responders are read only when there is one
  const row = await db.incident.findFirst({
    where: { teamId, declaredBy, title, declaredAt: { gte: since } },
    orderBy: { declaredAt: "desc" },
    select: { id: true },
  });
  return row ? loadIncident(db, row.id) : undefined;
}

export async function listOpen(db: Tx, teamId: string): Promise<Incident[]> {
  const rows = await db.incident.findMany({
    where: { teamId, status: { in: ["investigating", "identified", "monitoring"] } },
    orderBy: { declaredAt: "desc" },
    take: 50,
    include: withResponders,
  });
  return rows.map(toIncident);
}

/** The next INC-<n> of a workspace; the counter row serialises concurrent declarations. */
export async function nextNumber(tx: Tx, teamId: string): Promise<number> {
  const rows = await tx.$queryRaw<{ last_number: number }[]>`
    INSERT INTO workspace_counters (team_id, last_number) VALUES (${teamId}, 1)
    ON CONFLICT (team_id) DO UPDATE SET last_number = workspace_counters.last_number + 1
    RETURNING last_number`;
  return (rows[0] as { last_number: number }).last_number;
}

/**
 * Adds timeline entries; returns how many were added. An entry with a `sourceKey` (a Slack message, a
 * reminder) is added once: a second attempt with the same key adds nothing.
 */
export async function addTimeline(tx: Tx, incidentId: string, at: Date, drafts: readonly TimelineDraft[], extra: { sourceKey?: string; permalink?: string } = {}): Promise<number> {
  if (drafts.length === 0) return 0;
  const { count } = await tx.timelineEntry.createMany({
    skipDuplicates: extra.sourceKey !== undefined,
    data: drafts.map((d) => ({
      incidentId,
      at,
      kind: d.kind,
      actorId: d.actorId,
      text: d.text,
      ...(d.data ? { data: d.data as Prisma.InputJsonValue } : {}),
      ...(extra.sourceKey ? { sourceKey: extra.sourceKey } : {}),
      ...(extra.permalink ? { permalink: extra.permalink } : {}),
    })),
  });
  return count;
}

/**
 * Role history rows for role changes: the previous holder's assignment ends, the new one's starts.
 * An incident being declared has no assignment to end.
 */
export async function recordRoleChanges(tx: Tx, incidentId: string, events: readonly IncidentEvent[], at: Date, opts: { declaring?: boolean } = {}): Promise<void> {
  for (const e of events) {
    if (e.kind !== "role_changed") continue;
    if (isSingleRole(e.role)) {
      if (!opts.declaring) await tx.roleAssignment.updateMany({ where: { incidentId, role: e.role, endedAt: null }, data: { endedAt: at } });
    } else {
      await tx.responder.createMany({ data: [{ incidentId, userId: e.userId, addedBy: e.by, addedAt: at }], skipDuplicates: true });
    }
    await tx.roleAssignment.create({ data: { incidentId, role: e.role, userId: e.userId, assignedBy: e.by, startedAt: at } });
  }
}

export class ConflictError extends Error {
  constructor() {
    super("the incident changed meanwhile");
  }
}

/** The request that asked for a change was already carried out (Slack redelivered it, or it was sent twice). */
export class DuplicateRequestError extends Error {
  constructor(readonly key: string) {
    super(`request ${key} was already carried out`);
  }
}

/**
 * Marks a request as carried out, inside the transaction of its change: the change and the mark
 * commit together, so a redelivery finds it, and a request that failed can be sent again.
 */
export async function claimRequest(tx: Prisma.TransactionClient, key: string | undefined): Promise<void> {
  if (!key) return;
  const r = await tx.processedRequest.createMany({ data: [{ key }], skipDuplicates: true });
  if (r.count === 0) throw new DuplicateRequestError(key);
}

export async function requestDone(db: Db, key: string | undefined): Promise<boolean> {
  return key ? (await db.processedRequest.count({ where: { key } })) > 0 : false;
}

export interface Save {
  readonly before: Incident;
  readonly after: Incident;
  readonly events: readonly IncidentEvent[];
  readonly timeline: readonly TimelineDraft[];
  readonly jobs: readonly JobDraft[];
  readonly at: Date;
  /** Pending jobs of these kinds for the incident are cancelled before the new jobs are enqueued. */
  readonly cancelKinds?: readonly string[];
  /** Extra column changes that are not part of the domain's Incident. */
  readonly extra?: Prisma.IncidentUncheckedUpdateManyInput;
  /** More writes in the same transaction. */
  readonly also?: (tx: Prisma.TransactionClient) => Promise<void>;
  /** The request this change carries out (see claimRequest). */
  readonly requestKey?: string;
}

function changedColumns(before: Incident, after: Incident): Prisma.IncidentUncheckedUpdateManyInput {
  const data: Prisma.IncidentUncheckedUpdateManyInput = {};
  for (const role of Object.keys(ROLE_COLUMN) as SingleRole[]) {
    if (before.roles[role] !== after.roles[role]) data[ROLE_COLUMN[role]] = after.roles[role];
  }
  if (before.status !== after.status) data.status = after.status;
  if (before.severity !== after.severity) data.severity = after.severity;
  if (before.statusSummary !== after.statusSummary) data.statusSummary = after.statusSummary;
  if (before.lastUpdateAt?.getTime() !== after.lastUpdateAt?.getTime()) data.lastUpdateAt = after.lastUpdateAt;
  if (before.nextUpdateDueAt?.getTime() !== after.nextUpdateDueAt?.getTime()) data.nextUpdateDueAt = after.nextUpdateDueAt;
  if (before.resolvedAt?.getTime() !== after.resolvedAt?.getTime()) data.resolvedAt = after.resolvedAt;
  if (before.closedAt?.getTime() !== after.closedAt?.getTime()) data.closedAt = after.closedAt;
  if (before.impactStartedAt?.getTime() !== after.impactStartedAt?.getTime()) data.impactStartedAt = after.impactStartedAt;
  if (before.detectedAt?.getTime() !== after.detectedAt?.getTime()) data.detectedAt = after.detectedAt;
  if (before.acknowledgedAt?.getTime() !== after.acknowledgedAt?.getTime()) data.acknowledgedAt = after.acknowledgedAt;
  if (before.mitigatedAt?.getTime() !== after.mitigatedAt?.getTime()) data.mitigatedAt = after.mitigatedAt;
  if (before.declaredAt.getTime() !== after.declaredAt.getTime()) data.declaredAt = after.declaredAt;
  if (JSON.stringify(before.timestampSources) !== JSON.stringify(after.timestampSources)) data.timestampSources = after.timestampSources as Prisma.InputJsonValue;
  if (before.cadenceEpoch !== after.cadenceEpoch) data.cadenceEpoch = after.cadenceEpoch;
  if (before.severityChangedAt?.getTime() !== after.severityChangedAt?.getTime()) data.severityChangedAt = after.severityChangedAt;
  if (before.snoozedUntil?.getTime() !== after.snoozedUntil?.getTime()) data.snoozedUntil = after.snoozedUntil;
  return data;
}

/**
 * Commits a decision; throws ConflictError when the incident changed since `before` was read, and
 * DuplicateRequestError when its request was already carried out.
 */
export async function saveDecision(db: Db, save: Save): Promise<void> {
  await db.$transaction(async (tx) => {
    const updated = await tx.incident.updateMany({
      where: { id: save.before.id, version: save.before.version },
      data: { ...changedColumns(save.before, save.after), ...save.extra, version: { increment: 1 } },
    });
    if (updated.count !== 1) throw new ConflictError();
    await claimRequest(tx, save.requestKey);
    await recordRoleChanges(tx, save.before.id, save.events, save.at);
    await addTimeline(tx, save.before.id, save.at, save.timeline);
    if (save.cancelKinds && save.cancelKinds.length > 0) await cancelPending(tx, save.before.id, save.cancelKinds, save.at);
    await enqueue(tx, save.jobs, save.at);
    if (save.also) await save.also(tx);
  });
}
