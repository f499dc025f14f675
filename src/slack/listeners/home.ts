// The App Home's "Declare an incident" button opens the declare form.

import type { App, BlockAction as BoltBlockAction } from "@slack/bolt";
import type { Ctx } from "../../incidents/context.ts";
import { declareModal } from "../blocks/declare-modal.ts";
import { ACTION } from "../ids.ts";
import { blockAction } from "../payloads.ts";

export function registerHomeListeners(app: App, ctx: Ctx): void {
  app.action<BoltBlockAction>(ACTION.declareFromHome, async ({ ack, body }) => {
    await ack();
    const parsed = blockAction.safeParse(body);
    if (!parsed.success) return;
    try {
      await ctx.slack.call("views.open", { trigger_id: parsed.data.trigger_id, view: declareModal(ctx.config.incident.severities, parsed.data.user.id, {}) });
    } catch (err) {
      ctx.log.warn({ err }, "could not open the declare form from the App Home");
    }
  });
}
