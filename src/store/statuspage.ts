// An incident's public twin on the status page, in PostgreSQL: the row is written ("creating") before
// the page is asked to create anything, so a crash between the page's answer and our record is
// found again by its marker; one publication at a time per incident holds the row's lease, in the
// order they were asked for.

import type { Db } from "./database.ts";
import type { PublicIncident } from "./generated/client.ts";
import type { Tx } from "./jobs.ts";

export type PublicIncidentRow = PublicIncident;

export async function publicIncidentOf(db: Tx, incidentId: string): Promise<PublicIncidentRow | null> {
  return db.publicIncident.findUnique({ where: { incidentId } });
}

/** The row of an incident about to be published, "creating" when it is new. */
export async function ensurePublicIncident(db: Db, incidentId: string, pageId: string): Promise<void> {
  await db.publicIncident.createMany({ data: [{ incidentId, pageId, state: "creating" }], skipDuplicates: true });
}

/**
 * Takes the incident's publication lease for `holder` until `until`; false when another
 * publication holds it, or one asked for earlier (a lower job id) has not run yet.
 */
export async function leasePublication(db: Db, incidentId: string, holder: string, jobId: number, jobKind: string, now: Date, until: Date): Promise<boolean> {
  const n = await db.$executeRaw`
    UPDATE public_incidents SET locked_by = ${holder}, locked_until = ${until}
     WHERE incident_id = ${incidentId}::uuid
       AND (locked_until IS NULL OR locked_until < ${now} OR locked_by = ${holder})
       AND NOT EXISTS (SELECT 1 FROM jobs WHERE kind = ${jobKind} AND incident_id = ${incidentId}::uuid AND status = 'pending' AND id < ${jobId})`;
  return n === 1;
}

export async function releasePublication(db: Db, incidentId: string, holder: string): Promise<void> {
  await db.publicIncident.updateMany({ where: { incidentId, lockedBy: holder }, data: { lockedBy: null, lockedUntil: null } });
}

export interface Published {
  readonly statuspageId: string;
  readonly shortlink: string | null;
  readonly name: string;
  readonly status: string;
  readonly body: string;
  readonly impact: string;
  readonly componentIds: readonly string[];
}

/** What the page now says, recorded (and the lease given back). */
export async function recordPublished(tx: Tx, incidentId: string, p: Published): Promise<void> {
  await tx.publicIncident.update({
    where: { incidentId },
    data: {
      statuspageId: p.statuspageId,
      shortlink: p.shortlink,
      state: p.status === "resolved" ? "resolved" : "open",
      name: p.name,
      status: p.status,
      lastBody: p.body,
      impact: p.impact,
      componentIds: [...p.componentIds],
      lockedBy: null,
      lockedUntil: null,
    },
  });
}

/** The public incident found again (by its marker) after a crash: its id and link, before anything else. */
export async function recordFound(db: Db, incidentId: string, statuspageId: string, shortlink: string | null): Promise<void> {
  await db.publicIncident.update({ where: { incidentId }, data: { statuspageId, shortlink, state: "open" } });
}
