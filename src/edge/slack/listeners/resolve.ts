// The resolve form, and the buttons that mark the postmortem and action items done.

import type { App, BlockAction as BoltBlockAction } from "@slack/bolt";
import { z } from "zod";
import { incidentRef } from "../../../domain/incident.ts";
import { rawToSafe } from "../../../domain/text.ts";
import { markActionItemDone } from "../../../incidents/action-items.ts";
import type { Ctx } from "../../../incidents/context.ts";
import { closeJourney, resolveJourney } from "../../../incidents/resolve.ts";
import { refusalText } from "../../../slack/blocks/refusals.ts";
import { ACTION, BLOCK, CALLBACK } from "../../../slack/ids.ts";
import { blockAction, incidentForm, stateOf } from "../payloads.ts";
import { saveFailed, whisper } from "./replies.ts";

export function registerResolveListeners(app: App, ctx: Ctx): void {
  app.view(CALLBACK.resolveModal, async ({ ack, body }) => {
    const submitted = incidentForm(body);
    if (!submitted) {
      await ack({ response_action: "errors", errors: { [BLOCK.summary]: "This form could not be read. Close it and try again." } });
      return;
    }
    const { form, incidentId } = submitted;
    const values = form.view.state.values;
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
      await saveFailed(ctx.log, ack, { block: BLOCK.summary, what: "the resolution", err, context: { incident: incidentId } });
      return;
    }
    await ack();
  });

  app.action<BoltBlockAction>(ACTION.postmortemDone, async ({ ack, body, respond }) => {
    const parsed = blockAction.safeParse(body);
    const id = parsed.success ? z.uuid().safeParse(parsed.data.actions[0]?.value) : undefined;
    if (!parsed.success || !id?.success) {
      await ack();
      await whisper(respond, ":warning: That button could not be read.");
      return;
    }
    const r = await closeJourney(ctx, { incidentId: id.data, actor: parsed.data.user.id });
    await ack();
    if ("refusal" in r) await whisper(respond, `:warning: ${refusalText(r.refusal, r.incident)}`);
    else if (r.ok) await whisper(respond, `${incidentRef(r.after)} is closed. Thank you.`);
  });

  app.action<BoltBlockAction>(ACTION.actionItemDone, async ({ ack, body, respond }) => {
    const parsed = blockAction.safeParse(body);
    const id = parsed.success ? z.coerce.number().int().positive().safeParse(parsed.data.actions[0]?.value) : undefined;
    if (!parsed.success || !id?.success) {
      await ack();
      await whisper(respond, ":warning: That button could not be read.");
      return;
    }
    const outcome = await markActionItemDone(ctx, id.data, parsed.data.user.id);
    await ack();
    const text =
      outcome.kind === "done"
        ? `:white_check_mark: Action item #${outcome.item.number} of ${incidentRef(outcome.incident)} is done. Thank you.`
        : outcome.kind === "already"
          ? `Action item #${outcome.item.number} was already done.`
          : ":warning: That action item no longer exists.";
    await respond({ response_type: "ephemeral", replace_original: false, text });
  });
}
