// The update form (with "Draft with AI" when the assistant is on), and the reminder's buttons: "Post
// update" opens the form, "Snooze 15 min" snoozes.

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
import { ACTION, BLOCK, CALLBACK, decodeReminderButton, draftNumber, findDraftedBlock } from "../../../slack/ids.ts";
import type { Incident } from "../../../domain/incident.ts";
import { whyNotAsk } from "../../../incidents/assistant/ask.ts";
import { draftUpdate } from "../../../incidents/assistant/draft.ts";
import { assistantFailedText } from "../../../slack/blocks/assistant.ts";
import { type UpdateFormOptions } from "../../../slack/blocks/war-room/updates.ts";
import { formFailed } from "../failures.ts";
import { openModal } from "../modals.ts";
import { stateOf } from "../payloads.ts";
import { onIncidentForm } from "./forms.ts";
import { onAction } from "./replies.ts";

export function registerUpdateListeners(app: App, ctx: Ctx): void {
  onIncidentForm(app, CALLBACK.updateModal, BLOCK.summary, async ({ ack, form, incidentId, values }) => {
    // a drafted form's fields have the draft's ids
    const summaryBlock = findDraftedBlock(values, BLOCK.summary) ?? BLOCK.summary;
    const statusBlock = findDraftedBlock(values, BLOCK.status) ?? BLOCK.status;
    const summary = (stateOf(values, summaryBlock)?.value ?? "").trim();
    const status = z.enum(ACTIVE_STATUSES).safeParse(stateOf(values, statusBlock)?.selected_option?.value);
    if (summary === "" || !status.success) {
      await ack({ response_action: "errors", errors: summary === "" ? { [summaryBlock]: "Write the update: what changed, what you are doing, what is next." } : { [statusBlock]: "Pick a status." } });
      return;
    }
    try {
      const r = await postUpdateJourney(ctx, { incidentId, text: rawToSafe(summary), status: status.data, actor: form.user.id, requestKey: `view:${form.view.id}` });
      if ("refusal" in r) {
        const field = r.refusal.code === "transition" ? statusBlock : summaryBlock;
        await ack({ response_action: "errors", errors: { [field]: refusalText(r.refusal, r.incident).replace(/[*`]/g, "") } });
        return;
      }
      if ("missing" in r) {
        await ack({ response_action: "errors", errors: { [summaryBlock]: "That incident no longer exists." } });
        return;
      }
    } catch (err) {
      await formFailed(ctx.log, ack, summaryBlock, { what: "the update", err, context: { incident: incidentId } });
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
    const view = updateForm(ctx, incident);
    const opened = await openModal(ctx, body.trigger_id, view, "update", receivedAt);
    if (!opened.ok) await whisper(`:warning: The update form could not open. ${opened.why} Post the update with \`/incident update <text>\`.`);
  });

  onAction(app, ctx, ACTION.draftUpdate, "the drafted update", async ({ body, action, ack, receivedAt }) => {
    // the model takes seconds: acknowledged at once, the form is updated when the draft comes
    await ack();
    const id = z.uuid().safeParse(action.value);
    const incident = id.success ? await incidentById(ctx, id.data) : undefined;
    const viewId = body.view?.id;
    if (!incident || !viewId) {
      ctx.log.warn({ user: body.user.id }, "a Draft with AI click that could not be read");
      return;
    }
    const shown = draftNumber(Object.keys(body.view?.state?.values ?? {}));
    const refusal = whyNotAsk(ctx, incident);
    if (refusal) {
      await updateView(ctx, viewId, updateForm(ctx, incident, { failed: `No draft: ${refusal}.`, draftNumber: shown }));
      return;
    }
    const waiting = await updateView(ctx, viewId, updateForm(ctx, incident, { drafting: true, draftNumber: shown }));
    if (!waiting) return;
    const drafted = await draftUpdate(ctx, incident, receivedAt);
    if (!drafted.ok) {
      const line = assistantFailedText(drafted.why, drafted.ref, "Write the update yourself; nothing was changed.");
      await updateView(ctx, viewId, updateForm(ctx, incident, { failed: line.replace(/^:warning: /, ""), draftNumber: shown }));
      if (incident.channelId) await ctx.slack.callUnless("chat.postEphemeral", { channel: incident.channelId, user: body.user.id, text: line }, "not_in_channel", "user_not_in_channel", "channel_not_found", "is_archived");
      return;
    }
    await updateView(ctx, viewId, updateForm(ctx, incident, { draft: { text: drafted.text, number: shown + 1, model: drafted.model, ...(drafted.status ? { status: drafted.status } : {}) } }));
    ctx.log.info({ incident: incident.id, user: body.user.id, chars: drafted.text.length }, "an update drafted with AI is in the form");
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

/** The update form of `incident`, with "Draft with AI" when the assistant may be asked about it. */
export function updateForm(ctx: Ctx, incident: Incident, opts: Omit<UpdateFormOptions, "canDraft"> = {}): Record<string, unknown> {
  return updateModal(incident, requireSeverity(ctx.config.incident.severities, incident.severity), { canDraft: whyNotAsk(ctx, incident) === undefined, ...opts });
}

/** Replaces the form; false when it is gone (closed, or submitted meanwhile). */
async function updateView(ctx: Ctx, viewId: string, view: Record<string, unknown>): Promise<boolean> {
  try {
    await ctx.slack.call("views.update", { view_id: viewId, view });
    return true;
  } catch (err) {
    ctx.log.info({ err, viewId }, "the update form could not be updated (closed or submitted meanwhile?)");
    return false;
  }
}
