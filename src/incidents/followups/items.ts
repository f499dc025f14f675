// An action item as the follow-ups and the webhooks see it, with no journey of its own (so the item
// journeys, the export and the App Home can all use it without importing each other).

import { TRACKER_NAMES } from "../../config/sections/followups.ts";
import { safeToPlain } from "../../domain/text.ts";
import type { Ctx } from "../context.ts";

/** An action item as webhooks carry it, with its issue in the team's tracker when it has one. */
export function itemData(row: { id: number; number: number; text: string; ownerId: string | null; dueDate: Date | null; priority: string; status: string; doneAt?: Date | null; doneBy?: string | null; trackerKind?: string | null; trackerKey?: string | null; trackerUrl?: string | null }) {
  return {
    action_item: {
      id: row.id,
      number: row.number,
      text: safeToPlain(row.text),
      owner: row.ownerId,
      due: row.dueDate ? row.dueDate.toISOString().slice(0, 10) : null,
      priority: row.priority,
      status: row.status,
      done_at: row.doneAt?.toISOString() ?? null,
      done_by: row.doneBy ?? null,
      issue: row.trackerUrl ? { tracker: row.trackerKind ?? null, key: row.trackerKey ?? null, url: row.trackerUrl } : null,
    },
  };
}

/** The tracker's name on a *Create in …* button, when items are exported by button. */
export function buttonTracker(ctx: Ctx): string | undefined {
  const f = ctx.config.incident.followups;
  return f?.export === "button" ? TRACKER_NAMES[f.tracker.kind] : undefined;
}
