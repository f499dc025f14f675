// The update form, and the reminder's buttons: "Post update" opens the form, "Snooze 15 min" snoozes.

import type { App } from "@slack/bolt";
import { z } from "zod";
import { ACTIVE_STATUSES } from "../../../domain/lifecycle.ts";
import { requireSeverity } from "../../../domain/severity.ts";
import { rawToSafe } from "../../../domain/text.ts";
import type { Ctx } from "../../../incidents/context.ts";
import { incidentById } from "../../../incidents/lookup.ts";
import { postUpdateJourney, snoozeJourney } from "../../../incidents/war-room/updates.ts";
import { refusalText } from "../../../slack/blocks/refusals.ts";
import { updateModal } from "../../../slack/blocks/war-room/updates.ts";
import { ACTION, BLOCK, CALLBACK, decodeReminderButton } from "../../../slack/ids.ts";
import { formFailed } from "../failures.ts";
import { openModal } from "../modals.ts";
import { stateOf } from "../payloads.ts";
import { onIncidentForm } from "./forms.ts";
import { onAction } from "./replies.ts";

export function registerUpdateListeners(app: App, ctx: Ctx): void {
  onIncidentForm(app, CALLBACK.updateModal, BLOCK.summary, async ({ ack, form, incidentId, values }) => {
    const summary = (stateOf(values, BLOCK.summary)?.value ?? "").trim();
    const status = z.enum(ACTIVE_STATUSES).safeParse(stateOf(values, BLOCK.status)?.selected_option?.value);
    if (summary === "" || !status.success) {
      await ack({ response_action: "errors", errors: summary === "" ? { [BLOCK.summary]: "Write the update: what changed, what you are doing, what is next." } : { [BLOCK.status]: "Pick a status." } });
      return;
    }
    try {
      const r = await postUpdateJourney(ctx, { incidentId, text: rawToSafe(summary), status: status.data, actor: form.user.id, requestKey: `view:${form.view.id}` });
      if ("refusal" in r) {
        const field = r.refusal.code === "transition" ? BLOCK.status : BLOCK.summary;
        await ack({ response_action: "errors", errors: { [field]: refusalText(r.refusal, r.incident).replace(/[*`]/g, "") } });
        return;
      }
      if ("missing" in r) {
        await ack({ response_action: "errors", errors: { [BLOCK.summary]: "That incident no longer exists." } });
        return;
      }
    } catch (err) {
      await formFailed(ctx.log, ack, BLOCK.summary, { what: "the update", err, context: { incident: incidentId } });
      return;
    }
    await ack();
  });

  onAction(app, ctx, ACTION.postUpdate, "the update form", async ({ body, action, ack, whisper, receivedAt }) => {
    // a form opens on a trigger that lasts 3 s: acknowledge first, nothing is saved here
    await ack();
    const id = z.uuid().safeParse(action.value);
    const incident = id.success ? await incidentById(ctx, id.data) : undefined;
    if (!incident) {
      await whisper(":warning: That button could not be read.");
      return;
    }
    const view = updateModal(incident, requireSeverity(ctx.config.incident.severities, incident.severity));
    const opened = await openModal(ctx, body.trigger_id, view, "update", receivedAt);
    if (!opened.ok) await whisper(`:warning: The update form could not open. ${opened.why} Post the update with \`/incident update <text>\`.`);
  });

  onAction(app, ctx, ACTION.snooze, "your snooze", async ({ body, action, ack, whisper }) => {
    const value = action.value ? decodeReminderButton(action.value) : undefined;
    if (!value) {
      await ack();
      await whisper(":warning: That button could not be read.");
      return;
    }
    const r = await snoozeJourney(ctx, { incidentId: value.incidentId, actor: body.user.id, planEpoch: value.epoch, requestKey: `action:${body.trigger_id}` });
    await ack();
    if ("refusal" in r) await whisper(r.refusal.code === "stale_reminder" ? refusalText(r.refusal, r.incident) : `:warning: ${refusalText(r.refusal, r.incident)}`);
    else if ("missing" in r) await whisper(":warning: That button could not be read.");
  });
}
