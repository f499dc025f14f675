// Alert groups (one row per episode of a group key) and their alerts, in PostgreSQL. A group's
// notifications are folded in one at a time (an advisory lock on the key, held for the transaction),
// so two replicas receiving the same notification make one triage item.

import type { AlertSource, StoredAlert, TriageStatus } from "../domain/alerts.ts";
import { isOpen } from "../domain/lifecycle.ts";
import type { Db } from "./database.ts";
import type { Prisma } from "./generated/client.ts";
import type { Tx } from "./jobs.ts";

export interface AlertGroupRow {
  readonly id: string;
  readonly teamId: string;
  readonly source: AlertSource;
  readonly groupKey: string;
  readonly status: TriageStatus;
  readonly incidentId: string | null;
  /** The linked incident is open (investigating, identified, monitoring). */
  readonly incidentOpen: boolean;
  readonly title: string;
  readonly alertName: string;
  readonly severityValue: string | null;
  readonly severity: string | null;
  readonly groupLabels: Record<string, string>;
  readonly commonLabels: Record<string, string>;
  readonly commonAnnotations: Record<string, string>;
  readonly externalUrl: string | null;
  readonly firing: number;
  readonly total: number;
  readonly clearedAt: Date | null;
  readonly acknowledgedBy: string | null;
  readonly decidedBy: string | null;
  readonly decidedAt: Date | null;
  readonly declineReason: string | null;
  readonly channelId: string | null;
  readonly messageTs: string | null;
  readonly version: number;
  readonly renderedVersion: number;
  readonly lastEditAt: Date | null;
  readonly edits: number;
  readonly createdAt: Date;
}

type Row = Prisma.AlertGroupGetPayload<{ include: { incident: { select: { status: true; number: true } } } }>;

function toGroup(row: Row): AlertGroupRow {
  return {
    id: row.id,
    teamId: row.teamId,
    source: row.source as AlertSource,
    groupKey: row.groupKey,
    status: row.status as TriageStatus,
    incidentId: row.incidentId,
    incidentOpen: row.incident ? isOpen(row.incident.status) : false,
    title: row.title,
    alertName: row.alertName,
    severityValue: row.severityValue,
    severity: row.severity,
    groupLabels: row.groupLabels as Record<string, string>,
    commonLabels: row.commonLabels as Record<string, string>,
    commonAnnotations: row.commonAnnotations as Record<string, string>,
    externalUrl: row.externalUrl,
    firing: row.firing,
    total: row.total,
    clearedAt: row.clearedAt,
    acknowledgedBy: row.acknowledgedBy,
    decidedBy: row.decidedBy,
    decidedAt: row.decidedAt,
    declineReason: row.declineReason,
    channelId: row.channelId,
    messageTs: row.messageTs,
    version: row.version,
    renderedVersion: row.renderedVersion,
    lastEditAt: row.lastEditAt,
    edits: row.edits,
    createdAt: row.createdAt,
  };
}

const withIncident = { incident: { select: { status: true, number: true } } } as const;

function toAlert(row: { fingerprint: string; status: string; labels: unknown; annotations: unknown; startsAt: Date | null; endsAt: Date | null; generatorUrl: string | null }): StoredAlert {
  return {
    fingerprint: row.fingerprint,
    status: row.status === "firing" ? "firing" : "resolved",
    labels: row.labels as Record<string, string>,
    annotations: row.annotations as Record<string, string>,
    startsAt: row.startsAt,
    endsAt: row.endsAt,
    generatorUrl: row.generatorUrl,
  };
}

/** Notifications of one group key are folded in one at a time: held until the transaction ends. */
export async function lockGroupKey(tx: Prisma.TransactionClient, teamId: string, source: AlertSource, groupKey: string): Promise<void> {
  await tx.$queryRaw`SELECT 1 FROM pg_advisory_xact_lock(hashtext(${`alerts:${teamId}:${source}:${groupKey}`}))`;
}

/** The latest episode of a group key, if any. */
export async function latestGroup(tx: Tx, teamId: string, source: AlertSource, groupKey: string): Promise<AlertGroupRow | undefined> {
  const row = await tx.alertGroup.findFirst({ where: { teamId, source, groupKey }, orderBy: { createdAt: "desc" }, include: withIncident });
  return row ? toGroup(row) : undefined;
}

export async function loadGroup(db: Tx, id: string): Promise<AlertGroupRow | undefined> {
  const row = await db.alertGroup.findUnique({ where: { id }, include: withIncident });
  return row ? toGroup(row) : undefined;
}

export async function groupAlerts(db: Tx, groupId: string): Promise<StoredAlert[]> {
  const rows = await db.alert.findMany({ where: { groupId }, orderBy: [{ startsAt: "asc" }, { fingerprint: "asc" }] });
  return rows.map(toAlert);
}

export type NewGroup = Pick<AlertGroupRow, "id" | "teamId" | "source" | "groupKey" | "title" | "alertName" | "severityValue" | "severity" | "groupLabels" | "commonLabels" | "commonAnnotations" | "externalUrl">;

function alertData(groupId: string, a: StoredAlert, now: Date) {
  return {
    groupId,
    fingerprint: a.fingerprint,
    status: a.status,
    labels: a.labels as Prisma.InputJsonValue,
    annotations: a.annotations as Prisma.InputJsonValue,
    startsAt: a.startsAt,
    endsAt: a.endsAt,
    generatorUrl: a.generatorUrl,
    firstSeenAt: now,
    updatedAt: now,
  };
}

export async function createGroup(tx: Tx, g: NewGroup, alerts: readonly StoredAlert[], now: Date): Promise<void> {
  const firing = alerts.filter((a) => a.status === "firing").length;
  await tx.alertGroup.create({
    data: {
      id: g.id,
      teamId: g.teamId,
      source: g.source,
      groupKey: g.groupKey,
      status: "pending",
      title: g.title,
      alertName: g.alertName,
      severityValue: g.severityValue,
      severity: g.severity,
      groupLabels: g.groupLabels,
      commonLabels: g.commonLabels,
      commonAnnotations: g.commonAnnotations,
      externalUrl: g.externalUrl,
      firing,
      total: alerts.length,
      clearedAt: firing === 0 ? now : null,
      createdAt: now,
    },
  });
  await tx.alert.createMany({ data: alerts.map((a) => alertData(g.id, a, now)), skipDuplicates: true });
}

/** Writes the alerts that changed and the group's counts, and bumps its version (its message is stale). */
export async function saveAlerts(
  tx: Tx,
  groupId: string,
  changed: readonly StoredAlert[],
  all: readonly StoredAlert[],
  now: Date,
  extra: Prisma.AlertGroupUpdateInput = {},
): Promise<void> {
  for (const a of changed) {
    const data = alertData(groupId, a, now);
    const { firstSeenAt: _first, groupId: _group, fingerprint: _fp, ...update } = data;
    await tx.alert.upsert({ where: { groupId_fingerprint: { groupId, fingerprint: a.fingerprint } }, create: data, update });
  }
  const firing = all.filter((a) => a.status === "firing").length;
  const cleared = all.length > 0 && firing === 0;
  await tx.alertGroup.update({
    where: { id: groupId },
    data: { firing, total: all.length, version: { increment: 1 }, ...(cleared ? {} : { clearedAt: null }), ...extra },
  });
  if (cleared) await tx.alertGroup.updateMany({ where: { id: groupId, clearedAt: null }, data: { clearedAt: now } });
}

/** Changes a group's triage state if it is still `from`; false when someone decided first. */
export async function decideGroup(tx: Tx, id: string, from: TriageStatus, data: { status: TriageStatus; incidentId?: string; decidedBy: string | null; decidedAt: Date; declineReason?: string }): Promise<boolean> {
  const r = await tx.alertGroup.updateMany({
    where: { id, status: from },
    data: { status: data.status, decidedBy: data.decidedBy, decidedAt: data.decidedAt, version: { increment: 1 }, ...(data.incidentId ? { incidentId: data.incidentId } : {}), ...(data.declineReason ? { declineReason: data.declineReason } : {}) },
  });
  return r.count === 1;
}

export async function bumpGroup(tx: Tx, id: string, data: Prisma.AlertGroupUpdateInput = {}): Promise<void> {
  await tx.alertGroup.update({ where: { id }, data: { ...data, version: { increment: 1 } } });
}

/** Where the triage message is, and the version it shows. */
export async function recordTriageMessage(db: Db, id: string, channelId: string, ts: string, version: number): Promise<void> {
  await db.alertGroup.update({ where: { id }, data: { channelId, messageTs: ts } });
  await db.alertGroup.updateMany({ where: { id, renderedVersion: { lt: version } }, data: { renderedVersion: version } });
}

/**
 * Takes the right to edit the triage message now: at most one edit per `gapMs`, and only while the
 * message shows an older version. False: not now (too soon, or nothing to show).
 */
export async function claimEdit(db: Db, id: string, now: Date, gapMs: number): Promise<boolean> {
  const r = await db.alertGroup.updateMany({
    where: { id, messageTs: { not: null }, OR: [{ lastEditAt: null }, { lastEditAt: { lte: new Date(now.getTime() - gapMs) } }] },
    data: { lastEditAt: now },
  });
  return r.count === 1;
}

export async function editDone(db: Db, id: string, version: number): Promise<void> {
  await db.alertGroup.update({ where: { id }, data: { edits: { increment: 1 } } });
  await db.alertGroup.updateMany({ where: { id, renderedVersion: { lt: version } }, data: { renderedVersion: version } });
}

/** The alert groups linked to an incident, oldest first, with their alerts. */
export async function linkedGroups(db: Tx, incidentId: string): Promise<{ group: AlertGroupRow; alerts: StoredAlert[] }[]> {
  const rows = await db.alertGroup.findMany({ where: { incidentId }, orderBy: { createdAt: "asc" }, include: { ...withIncident, alerts: { orderBy: [{ startsAt: "asc" }, { fingerprint: "asc" }] } } });
  return rows.map((r) => ({ group: toGroup(r), alerts: r.alerts.map(toAlert) }));
}
