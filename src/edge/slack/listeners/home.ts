// The App Home's "Declare an incident" button opens the declare form.

import type { App } from "@slack/bolt";
import type { Ctx } from "../../../incidents/context.ts";
import { declareModal } from "../../../slack/blocks/war-room/declare-modal.ts";
import { ACTION } from "../../../slack/ids.ts";
import { openModal } from "../modals.ts";
import { onAction } from "./replies.ts";

export function registerHomeListeners(app: App, ctx: Ctx): void {
  onAction(app, ctx, ACTION.declareFromHome, "the declare form", async ({ body, ack, receivedAt }) => {
    await ack();
    const user = body.user.id;
    const opened = await openModal(ctx, body.trigger_id, declareModal(ctx.config.incident.severities, user, {}), "declare", receivedAt);
    if (opened.ok) return;
    // a Home button has no response_url: say it in the app's DM with the person
    await ctx.slack
      .call("chat.postMessage", { channel: user, text: `:warning: The declare form could not open. ${opened.why} Try again, or declare at once: \`/incident declare sev2 <title>\`.` })
      .catch((err: unknown) => ctx.log.warn({ err, user }, "could not tell a person the declare form did not open"));
  });
}
