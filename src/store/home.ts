// What someone's App Home shows, read in a few indexed queries: open incidents (private ones only for
// their own people), the open ones where they hold a role, their open action items.

import type { Incident } from "../domain/incident.ts";
import type { Db } from "./database.ts";
import { toIncident, withResponders } from "./incidents.ts";

const OPEN = ["investigating", "identified", "monitoring"] as const;

export async function homeFacts(db: Db, teamId: string, userId: string, limits: { open: number; roles: number; items: number }) {
  const involved = [{ icId: userId }, { techLeadId: userId }, { commsLeadId: userId }, { scribeId: userId }, { declaredBy: userId }, { responders: { some: { userId } } }];
  const visible = { teamId, status: { in: [...OPEN] }, OR: [{ isPrivate: false }, ...involved] };
  const mine = { teamId, status: { in: [...OPEN] }, OR: [{ icId: userId }, { techLeadId: userId }, { commsLeadId: userId }, { scribeId: userId }, { responders: { some: { userId } } }] };
  const items = { ownerId: userId, status: "open" as const, incident: { teamId } };
  const [open, openTotal, held, mineTotal, actionItems, itemsTotal] = await Promise.all([
    db.incident.findMany({ where: visible, orderBy: { declaredAt: "desc" }, take: limits.open, include: withResponders }),
    db.incident.count({ where: visible }),
    db.incident.findMany({ where: mine, orderBy: { declaredAt: "desc" }, take: limits.roles, include: withResponders }),
    db.incident.count({ where: mine }),
    db.actionItem.findMany({ where: items, orderBy: [{ dueDate: { sort: "asc", nulls: "last" } }, { id: "asc" }], take: limits.items, include: { incident: { select: { number: true, channelId: true } } } }),
    db.actionItem.count({ where: items }),
  ]);
  return {
    open: open.map((r): Incident => toIncident(r)),
    openTotal,
    mine: held.map((r): Incident => toIncident(r)),
    mineTotal,
    items: actionItems.map((a) => ({ id: a.id, number: a.number, text: a.text, due: a.dueDate ? a.dueDate.toISOString().slice(0, 10) : null, incident: a.incident, issue: a.trackerUrl ? { kind: a.trackerKind, key: a.trackerKey, url: a.trackerUrl } : null })),
    itemsTotal,
  };
}
