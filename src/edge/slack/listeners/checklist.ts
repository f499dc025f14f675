// The checklist's checkboxes. A click carries what is selected now in one section, and the message as
// the clicker saw it: the difference is what they ticked or unticked, and only that is saved (so two
// people ticking at the same instant both count), then the click is acknowledged.

import type { App } from "@slack/bolt";
import { z } from "zod";
import { clickDelta } from "../../../domain/checklist.ts";
import { tickItems } from "../../../incidents/war-room/checklist.ts";
import type { Ctx } from "../../../incidents/context.ts";
import { ACTION, parseChecklistBlock } from "../../../slack/ids.ts";
import { onAction } from "./replies.ts";

const position = z.coerce.number().int().min(0).max(10_000);
const shownSection = z.object({
  block_id: z.string(),
  accessory: z.object({
    options: z.array(z.object({ value: position })).max(10),
    initial_options: z.array(z.object({ value: position })).optional(),
  }),
});

/** The options and the selection of the section `blockId` in the message as the clicker saw it. */
function asShown(blocks: unknown, blockId: string): { shown: number[]; before: number[] } | undefined {
  if (!Array.isArray(blocks)) return undefined;
  for (const b of blocks) {
    const s = shownSection.safeParse(b);
    if (s.success && s.data.block_id === blockId) return { shown: s.data.accessory.options.map((o) => o.value), before: (s.data.accessory.initial_options ?? []).map((o) => o.value) };
  }
  return undefined;
}

export function registerChecklistListeners(app: App, ctx: Ctx): void {
  onAction(app, ctx, new RegExp(`^${ACTION.checklist.replace(".", "\\.")}:\\d+$`), "your tick", async ({ body, action, ack, whisper }) => {
    const target = action.block_id ? parseChecklistBlock(action.block_id) : undefined;
    const selected = z.array(z.object({ value: position })).max(10).safeParse(action.selected_options ?? []);
    const view = target ? asShown(body.message?.blocks, action.block_id as string) : undefined;
    if (!target || !selected.success || !view) {
      await ack();
      await whisper(":warning: That tick could not be read; nothing was changed.");
      return;
    }
    const delta = clickDelta(view.shown, view.before, selected.data.map((o) => o.value));
    if (delta.tick.length === 0 && delta.untick.length === 0) return;
    await tickItems(ctx, { incidentId: target.incidentId, ...delta, actor: body.user.id, requestKey: `action:${body.trigger_id}:${action.action_ts ?? ""}` });
  });
}
