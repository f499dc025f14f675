// A triage message's buttons and forms. Declare opens the declare form prefilled from the alert
// (title from its summary, severity through alerts.severity_map, the detection); Decline asks why;
// Merge lists the open incidents the clicker may see. Whoever decides first wins: the others are told
// who did, and their form changes nothing.

import type { App } from "@slack/bolt";
import { SOURCE_LABEL } from "../../../domain/alerts.ts";
import { incidentRef } from "../../../domain/incident.ts";
import { findSeverity } from "../../../domain/severity.ts";
import { oneLine, rawToSafe, stripControls } from "../../../domain/text.ts";
import { declineAlert, mergeAlertInto, triageItem } from "../../../incidents/alerts/decisions.ts";
import type { Ctx } from "../../../incidents/context.ts";
import { openIncidentsFor } from "../../../incidents/lookup.ts";
import { FORM_TITLE_MAX } from "../../../domain/command-usage.ts";
import { declareModal } from "../../../slack/blocks/war-room/declare-modal.ts";
import { refusalText } from "../../../slack/blocks/refusals.ts";
import { alreadyTriaged, declineModal, mergeModal } from "../../../slack/blocks/alerts/triage.ts";
import { ACTION, BLOCK, CALLBACK, decodeGroupId } from "../../../slack/ids.ts";
import { formFailed } from "../failures.ts";
import { openModal } from "../modals.ts";
import { stateOf, viewSubmission } from "../payloads.ts";
import { onAction } from "./replies.ts";

type Item = NonNullable<Awaited<ReturnType<typeof triageItem>>>;

function decidedText(item: Item): string {
  return alreadyTriaged({ status: item.group.status, decidedBy: item.group.decidedBy, incidentRef: item.incident ? incidentRef(item.incident) : null });
}

/** The group a button names, if it still waits for a decision; else the clicker is told why not. */
async function pendingItem(ctx: Ctx, value: string | undefined, whisper: (text: string) => Promise<unknown>): Promise<Item | undefined> {
  const id = decodeGroupId(value ?? "");
  const item = id ? await triageItem(ctx, id) : undefined;
  if (!item) {
    await whisper(":warning: That alert could not be found; nothing was changed.");
    return undefined;
  }
  if (item.group.status !== "pending") {
    await whisper(`:information_source: ${decidedText(item)}`);
    return undefined;
  }
  return item;
}

export function registerTriageListeners(app: App, ctx: Ctx): void {
  onAction(app, ctx, ACTION.triageDeclare, "declaring from the alert", async ({ body, action, ack, whisper, receivedAt }) => {
    await ack();
    const item = await pendingItem(ctx, action.value, whisper);
    if (!item) return;
    const g = item.group;
    const ladder = ctx.config.incident.severities;
    const severity = g.severity ? findSeverity(ladder, g.severity) : undefined;
    const view = declareModal(ladder, body.user.id, { alertGroupId: g.id, ...(body.response_url ? { responseUrl: body.response_url } : {}) }, {
      ...(severity ? { severity } : {}),
      values: { title: g.title.slice(0, FORM_TITLE_MAX), detection: `${SOURCE_LABEL[g.source]} alert ${oneLine(g.alertName)}`.slice(0, 500) },
    });
    const opened = await openModal(ctx, body.trigger_id, view, "the declare form", receivedAt);
    if (!opened.ok) await whisper(`:warning: I could not open the declare form. ${opened.why}`);
  });

  onAction(app, ctx, ACTION.triageDecline, "declining the alert", async ({ body, action, ack, whisper, receivedAt }) => {
    await ack();
    const item = await pendingItem(ctx, action.value, whisper);
    if (!item) return;
    const opened = await openModal(ctx, body.trigger_id, declineModal(item.group.id, item.group.alertName), "the decline form", receivedAt);
    if (!opened.ok) await whisper(`:warning: I could not open the decline form. ${opened.why}`);
  });

  onAction(app, ctx, ACTION.triageMerge, "merging the alert", async ({ body, action, ack, whisper, receivedAt }) => {
    await ack();
    const item = await pendingItem(ctx, action.value, whisper);
    if (!item) return;
    const open = await openIncidentsFor(ctx, item.group.teamId, body.user.id);
    const view = mergeModal(
      item.group.id,
      item.group.alertName,
      open.map((i) => ({ id: i.id, ref: incidentRef(i), title: i.title, severity: i.severity })),
    );
    const opened = await openModal(ctx, body.trigger_id, view, "the merge form", receivedAt);
    if (!opened.ok) await whisper(`:warning: I could not open the merge form. ${opened.why}`);
  });

  app.view(CALLBACK.declineModal, async ({ ack, body }) => {
    const parsed = viewSubmission.safeParse(body);
    const groupId = parsed.success ? decodeGroupId(parsed.data.view.private_metadata) : undefined;
    if (!parsed.success || !groupId) {
      await ack({ response_action: "errors", errors: { [BLOCK.declineReason]: "This form could not be read. Close it and try again." } });
      return;
    }
    const reason = oneLine(stripControls(stateOf(parsed.data.view.state.values, BLOCK.declineReason)?.value ?? ""));
    if (reason === "") {
      await ack({ response_action: "errors", errors: { [BLOCK.declineReason]: "Say why this alert is not an incident (it is recorded with it)." } });
      return;
    }
    try {
      const r = await declineAlert(ctx, { groupId, userId: parsed.data.user.id, reason: rawToSafe(reason.slice(0, 500)) });
      if (!r.ok) {
        const item = await triageItem(ctx, groupId);
        await ack({ response_action: "errors", errors: { [BLOCK.declineReason]: item ? decidedText(item).replace(/<@[^>]+>/g, "someone") : "That alert could not be found." } });
        return;
      }
    } catch (err) {
      await formFailed(ctx.log, ack, BLOCK.declineReason, { what: "declining the alert", err, context: { group: groupId } });
      return;
    }
    await ack();
  });

  app.view(CALLBACK.mergeModal, async ({ ack, body }) => {
    const parsed = viewSubmission.safeParse(body);
    const groupId = parsed.success ? decodeGroupId(parsed.data.view.private_metadata) : undefined;
    const incidentId = parsed.success ? decodeGroupId(stateOf(parsed.data.view.state.values, BLOCK.mergeInto)?.selected_option?.value ?? "") : undefined;
    if (!parsed.success || !groupId) {
      await ack({ response_action: "errors", errors: { [BLOCK.mergeInto]: "This form could not be read. Close it and try again." } });
      return;
    }
    if (!incidentId) {
      await ack({ response_action: "errors", errors: { [BLOCK.mergeInto]: "Pick the incident to merge the alert into." } });
      return;
    }
    try {
      const r = await mergeAlertInto(ctx, { groupId, incidentId, userId: parsed.data.user.id });
      if (!r.ok) {
        const text =
          r.why === "triaged"
            ? alreadyTriaged({ status: r.group.status, decidedBy: r.group.decidedBy, incidentRef: null })
            : r.why === "closed"
              ? refusalText({ code: "not_open", status: r.incident.status }, r.incident)
              : "That incident or alert no longer exists.";
        await ack({ response_action: "errors", errors: { [BLOCK.mergeInto]: text.replace(/<@[^>]+>/g, "someone").replace(/[*`]/g, "") } });
        return;
      }
    } catch (err) {
      await formFailed(ctx.log, ack, BLOCK.mergeInto, { what: "merging the alert", err, context: { group: groupId, incident: incidentId } });
      return;
    }
    await ack();
  });
}
