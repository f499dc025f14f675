// The update form, and the reminder's buttons: "Post update" opens the form, "Snooze 15 min" snoozes.

import type { App, BlockAction as BoltBlockAction } from "@slack/bolt";
import { z } from "zod";
import { incidentRef } from "../../../domain/incident.ts";
import { ACTIVE_STATUSES } from "../../../domain/lifecycle.ts";
import { requireSeverity } from "../../../domain/severity.ts";
import { rawToSafe } from "../../../domain/text.ts";
import type { Ctx } from "../../../incidents/context.ts";
import { postUpdateJourney, snoozeJourney } from "../../../incidents/updates.ts";
import { loadIncident } from "../../../store/incidents.ts";
import { refusalText } from "../../../slack/blocks/refusals.ts";
import { decodeReminderButton } from "../../../slack/blocks/reminders.ts";
import { updateModal } from "../../../slack/blocks/updates.ts";
import { ACTION, BLOCK, CALLBACK } from "../../../slack/ids.ts";
import { openModal } from "../modals.ts";
import { blockAction, incidentForm, stateOf } from "../payloads.ts";
import { saveFailed, whisper } from "./replies.ts";

export function registerUpdateListeners(app: App, ctx: Ctx): void {
  app.view(CALLBACK.updateModal, async ({ ack, body }) => {
    const submitted = incidentForm(body);
    if (!submitted) {
      await ack({ response_action: "errors", errors: { [BLOCK.summary]: "This form could not be read. Close it and try again." } });
      return;
    }
    const { form, incidentId } = submitted;
    const values = form.view.state.values;
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
      await saveFailed(ctx.log, ack, { block: BLOCK.summary, what: "the update", err, context: { incident: incidentId } });
      return;
    }
    await ack();
  });

  app.action<BoltBlockAction>(ACTION.postUpdate, async ({ ack, body, respond }) => {
    const receivedAt = Date.now();
    await ack();
    const parsed = blockAction.safeParse(body);
    const incidentId = parsed.success ? z.uuid().safeParse(parsed.data.actions[0]?.value) : undefined;
    const incident = incidentId?.success ? await loadIncident(ctx.db, incidentId.data) : undefined;
    if (!parsed.success || !incident) {
      await whisper(respond, ":warning: That button could not be read.");
      return;
    }
    const view = updateModal(incident, requireSeverity(ctx.config.incident.severities, incident.severity));
    const opened = await openModal(ctx.slack, ctx.log, parsed.data.trigger_id, view, "update", receivedAt);
    if (!opened.ok) await whisper(respond, `:warning: The update form could not open. ${opened.why} Post the update with \`/incident update <text>\`.`);
  });

  app.action<BoltBlockAction>(ACTION.snooze, async ({ ack, body, respond }) => {
    const parsed = blockAction.safeParse(body);
    const value = parsed.success && parsed.data.actions[0]?.value ? decodeReminderButton(parsed.data.actions[0].value) : undefined;
    const incident = value ? await loadIncident(ctx.db, value.incidentId) : undefined;
    if (!parsed.success || !value || !incident) {
      await ack();
      await whisper(respond, ":warning: That button could not be read.");
      return;
    }
    if (value.epoch !== incident.cadenceEpoch) {
      await ack();
      await whisper(respond, `This reminder is out of date: ${incidentRef(incident)} got an update (or a snooze) since. Nothing was changed.`);
      return;
    }
    const r = await snoozeJourney(ctx, { incidentId: incident.id, actor: parsed.data.user.id });
    await ack();
    if ("refusal" in r) await whisper(respond, `:warning: ${refusalText(r.refusal, r.incident)}`);
  });
}
