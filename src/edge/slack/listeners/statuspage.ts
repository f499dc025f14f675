// The status page form's submission and the "Resolve it on the status page" button. A submission is
// read (zod), refused with a field error when it cannot be published (a drill, no status page), and
// otherwise recorded as a job before the form closes: the confirmation follows in the channel.

import type { App } from "@slack/bolt";
import { z } from "zod";
import { incidentRef } from "../../../domain/incident.ts";
import type { Ctx } from "../../../incidents/context.ts";
import { incidentById } from "../../../incidents/lookup.ts";
import { publicationSchema } from "../../../domain/statuspage.ts";
import { RESOLVED_BODY, requestPublication, statuspageForm, whyNotStatuspage } from "../../../incidents/out/statuspage.ts";
import { requestPagePublication } from "../../../incidents/out/status-page.ts";
import { statuspageRefusal, TARGET } from "../../../slack/blocks/out/statuspage.ts";
import { ACTION, BLOCK, CALLBACK } from "../../../slack/ids.ts";
import { formFailed } from "../failures.ts";
import { openModal } from "../modals.ts";
import { stateOf } from "../payloads.ts";
import { onIncidentForm } from "./forms.ts";
import { onAction } from "./replies.ts";

/** Which block a problem with a publication's field is said on. */
const FIELD_BLOCK: Record<string, string> = { name: BLOCK.publicName, status: BLOCK.publicStatus, body: BLOCK.publicBody, impact: BLOCK.publicImpact, componentIds: BLOCK.publicComponents };
const FIELD_PROBLEM: Record<string, string> = {
  name: "Give the public incident a title (at most 200 characters).",
  status: "Pick a status.",
  body: "Write the message customers will read (at most 3,000 characters).",
  impact: "Pick the impact.",
  componentIds: "Pick at most 100 components.",
};

export function registerStatuspageListeners(app: App, ctx: Ctx): void {
  onIncidentForm(app, CALLBACK.statuspageModal, BLOCK.publicBody, async ({ ack, form, incidentId, values }) => {
    const raw = {
      name: stateOf(values, BLOCK.publicName)?.value ?? "",
      status: stateOf(values, BLOCK.publicStatus)?.selected_option?.value,
      body: stateOf(values, BLOCK.publicBody)?.value ?? "",
      impact: stateOf(values, BLOCK.publicImpact)?.selected_option?.value,
      componentIds: (stateOf(values, BLOCK.publicComponents)?.selected_options ?? []).map((o) => o.value),
    };
    // only the page's own components (a forged submission's others are left out)
    const ownIds = new Set(ctx.ownPage?.settings.components.map((c) => c.id));
    const pageComponentIds = (stateOf(values, BLOCK.publicPageComponents)?.selected_options ?? []).map((o) => o.value).filter((id) => ownIds.has(id));
    // both pages configured: the form asked which (both by default); otherwise the one there is
    const picked = stateOf(values, BLOCK.publicTargets)?.selected_options?.map((o) => o.value);
    const toRemote = ctx.statuspage !== undefined && (picked === undefined || picked.includes(TARGET.statuspage));
    const toOwn = ctx.ownPage !== undefined && (picked === undefined || picked.includes(TARGET.ownPage));
    if (picked !== undefined && !toRemote && !toOwn) {
      await ack({ response_action: "errors", errors: { [BLOCK.publicTargets]: "Pick at least one page to publish to." } });
      return;
    }
    const parsed = publicationSchema.safeParse(raw);
    if (!parsed.success) {
      const errors: Record<string, string> = {};
      for (const issue of parsed.error.issues) {
        const field = String(issue.path[0]);
        const block = FIELD_BLOCK[field] ?? BLOCK.publicBody;
        errors[block] ??= FIELD_PROBLEM[field] ?? "This could not be read.";
      }
      await ack({ response_action: "errors", errors });
      return;
    }
    try {
      const incident = await incidentById(ctx, incidentId);
      if (!incident) {
        await ack({ response_action: "errors", errors: { [BLOCK.publicBody]: "That incident no longer exists." } });
        return;
      }
      const refusal = whyNotStatuspage(ctx, incident);
      if (refusal) {
        await ack({ response_action: "errors", errors: { [BLOCK.publicBody]: statuspageRefusal(refusal, incident).replace(/[*`]/g, "") } });
        return;
      }
      if (toRemote) await requestPublication(ctx, incident, parsed.data, form.user.id, `view:${form.view.id}`);
      if (toOwn) await requestPagePublication(ctx, incident, { ...parsed.data, componentIds: pageComponentIds }, form.user.id, `view:${form.view.id}:page`);
    } catch (err) {
      await formFailed(ctx.log, ack, BLOCK.publicBody, { what: "the status page publication", err, context: { incident: incidentId } });
      return;
    }
    await ack();
  });

  onAction(app, ctx, ACTION.statuspageResolve, "the status page form", async ({ body, action, ack, whisper, receivedAt }) => {
    await ack();
    const id = z.uuid().safeParse(action.value);
    const incident = id.success ? await incidentById(ctx, id.data) : undefined;
    if (!incident) {
      await whisper(":warning: That incident could not be found; nothing was changed.");
      return;
    }
    const refusal = whyNotStatuspage(ctx, incident);
    if (refusal) {
      await whisper(statuspageRefusal(refusal, incident));
      return;
    }
    const view = await statuspageForm(ctx, incident, { status: "resolved", body: RESOLVED_BODY });
    const opened = await openModal(ctx, body.trigger_id, view, "statuspage", receivedAt);
    if (!opened.ok) await whisper(`:warning: The status page form could not open. ${opened.why} Run \`/incident statuspage\` in ${incidentRef(incident)}'s channel.`);
  });
}
