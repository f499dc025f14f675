// The resolve form, and the buttons that mark the postmortem and action items done.

import { requestExport } from "../../../incidents/followups/export.ts";
import type { App } from "@slack/bolt";
import { z } from "zod";
import { incidentRef } from "../../../domain/incident.ts";
import { rawToSafe } from "../../../domain/text.ts";
import { markActionItemDone } from "../../../incidents/resolution/action-items.ts";
import { refreshHome } from "../../../incidents/numbers/home.ts";
import type { Ctx } from "../../../incidents/context.ts";
import { closeJourney, resolveJourney } from "../../../incidents/resolution/resolve.ts";
import { refusalText } from "../../../slack/blocks/refusals.ts";
import { ACTION, BLOCK, CALLBACK } from "../../../slack/ids.ts";
import { formFailed } from "../failures.ts";
import { stateOf } from "../payloads.ts";
import { onIncidentForm } from "./forms.ts";
import { onAction } from "./replies.ts";

export function registerResolveListeners(app: App, ctx: Ctx): void {
  onIncidentForm(app, CALLBACK.resolveModal, BLOCK.summary, async ({ ack, form, incidentId, values }) => {
    const summary = (stateOf(values, BLOCK.summary)?.value ?? "").trim();
    const rootCause = (stateOf(values, BLOCK.rootCause)?.value ?? "").trim();
    if (summary === "") {
      await ack({ response_action: "errors", errors: { [BLOCK.summary]: "Say what happened and how it was resolved, in a sentence or two." } });
      return;
    }
    try {
      const r = await resolveJourney(ctx, { incidentId, summary: rawToSafe(summary), ...(rootCause ? { rootCause: rawToSafe(rootCause) } : {}), actor: form.user.id, requestKey: `view:${form.view.id}` });
      if ("refusal" in r) {
        await ack({ response_action: "errors", errors: { [BLOCK.summary]: refusalText(r.refusal, r.incident).replace(/[*`]/g, "") } });
        return;
      }
    } catch (err) {
      await formFailed(ctx.log, ack, BLOCK.summary, { what: "the resolution", err, context: { incident: incidentId } });
      return;
    }
    await ack();
  });

  onAction(app, ctx, ACTION.postmortemDone, "closing the incident", async ({ body, action, ack, whisper }) => {
    const id = z.uuid().safeParse(action.value);
    if (!id.success) {
      await ack();
      await whisper(":warning: That button could not be read.");
      return;
    }
    const r = await closeJourney(ctx, { incidentId: id.data, actor: body.user.id, requestKey: `action:${body.trigger_id}` });
    await ack();
    if ("refusal" in r) await whisper(`:warning: ${refusalText(r.refusal, r.incident)}`);
    else if (r.ok) await whisper(`${incidentRef(r.after)} is closed. Thank you.`);
  });

  onAction(app, ctx, ACTION.actionItemExport, "creating the action item's issue", async ({ body, action, ack, whisper }) => {
    const id = z.coerce.number().int().positive().safeParse(action.value);
    if (!id.success) {
      await ack();
      await whisper(":warning: That button could not be read.");
      return;
    }
    const outcome = await requestExport(ctx, id.data, body.user.id, body.response_url);
    await ack();
    await whisper(
      outcome.kind === "asked"
        ? `:hourglass_flowing_sand: Creating the ${outcome.tracker} issue for action item #${outcome.number}…`
        : outcome.kind === "exists"
          ? `:link: Action item #${outcome.number} is already ${outcome.link}.`
          : outcome.kind === "off"
            ? ":warning: Follow-ups are off: add followups: to the config to create issues from action items."
            : ":warning: That action item no longer exists.",
    );
  });

  onAction(app, ctx, ACTION.actionItemDone, "marking the action item done", async ({ body, action, ack, whisper }) => {
    const id = z.coerce.number().int().positive().safeParse(action.value);
    if (!id.success) {
      await ack();
      await whisper(":warning: That button could not be read.");
      return;
    }
    const outcome = await markActionItemDone(ctx, id.data, body.user.id);
    await ack();
    // pressed in the App Home: show it done there
    if (body.container?.type === "view") await refreshHome(ctx, body.user.id);
    await whisper(
      outcome.kind === "done"
        ? `:white_check_mark: Action item #${outcome.item.number} of ${incidentRef(outcome.incident)} is done. Thank you.`
        : outcome.kind === "already"
          ? `Action item #${outcome.item.number} was already done.`
          : ":warning: That action item no longer exists.",
    );
  });
}
