// What happened to an incident, as update punctuality reads it (domain/record.ts): the declaration,
// its updates, severity changes, resolves and reopens, from the record.

import type { CadenceEvent } from "../domain/record.ts";
import { requireSeverity, type SeverityLadder } from "../domain/severity.ts";
import type { Tx } from "./jobs.ts";

/** What happened, as punctuality reads it. */
export async function cadenceEvents(tx: Tx, ladder: SeverityLadder, incident: { id: string; severity: string; declaredAt: Date }): Promise<CadenceEvent[]> {
  const [updates, entries] = await Promise.all([
    tx.statusUpdate.findMany({ where: { incidentId: incident.id }, select: { postedAt: true } }),
    tx.timelineEntry.findMany({ where: { incidentId: incident.id, kind: { in: ["severity_changed", "resolved", "reopened"] } }, orderBy: [{ at: "asc" }, { id: "asc" }], select: { kind: true, at: true, data: true } }),
  ]);
  const firstChange = entries.find((e) => e.kind === "severity_changed");
  const initial = (firstChange?.data as { from?: string } | null)?.from ?? incident.severity;
  const events: CadenceEvent[] = [{ kind: "declared", at: incident.declaredAt, cadence: requireSeverity(ladder, initial).cadence }];
  for (const u of updates) events.push({ kind: "update", at: u.postedAt });
  for (const e of entries) {
    if (e.kind === "severity_changed") events.push({ kind: "severity", at: e.at, cadence: requireSeverity(ladder, (e.data as { to?: string } | null)?.to ?? incident.severity).cadence });
    else events.push({ kind: e.kind === "resolved" ? "resolved" : "reopened", at: e.at });
  }
  return events;
}

