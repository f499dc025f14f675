// The declare form's submission: validated at the edge (field errors keep the form open), then the
// declaration is recorded before the form closes.

import type { App } from "@slack/bolt";
import { z } from "zod";
import { findSeverity } from "../../../domain/severity.ts";
import { oneLine, stripControls } from "../../../domain/text.ts";
import type { Ctx } from "../../../incidents/context.ts";
import { AlreadyTriagedError, declareFromAlert } from "../../../incidents/alerts/decisions.ts";
import { declare } from "../../../incidents/war-room/declare.ts";
import { incidentById } from "../../../incidents/lookup.ts";
import { incidentRef } from "../../../domain/incident.ts";
import { alreadyTriaged } from "../../../slack/blocks/alerts/triage.ts";
import { checkPerson } from "../../../incidents/war-room/roles.ts";
import { FORM_TITLE_MAX } from "../../../domain/command-usage.ts";
import { BLOCK, CALLBACK, isSeverityBlock } from "../../../slack/ids.ts";
import { stateOf, viewSubmission } from "../payloads.ts";
import { formFailed } from "../failures.ts";

const metadata = z.object({ responseUrl: z.url().optional(), originChannelId: z.string().optional(), alertGroupId: z.uuid().optional() }).catch({});

function parseMetadata(raw: string) {
  try {
    return metadata.parse(JSON.parse(raw || "{}"));
  } catch {
    return {};
  }
}

export function registerDeclareModal(app: App, ctx: Ctx): void {
  app.view(CALLBACK.declareModal, async ({ ack, body }) => {
    const parsed = viewSubmission.safeParse(body);
    if (!parsed.success) {
      await ack({ response_action: "errors", errors: { [BLOCK.title]: "Slack sent a form this bot could not read. Please try again." } });
      return;
    }
    const { view, user, team } = parsed.data;
    const values = view.state.values;
    const errors: Record<string, string> = {};

    const title = oneLine(stripControls(stateOf(values, BLOCK.title)?.value ?? ""));
    if (title === "") errors[BLOCK.title] = "Give the incident a title: what is broken, in a few words.";
    else if (title.length > FORM_TITLE_MAX) errors[BLOCK.title] = `Keep the title under ${FORM_TITLE_MAX} characters (it is ${title.length}).`;

    // the severity block's id changes when the assessment suggested one
    const severityBlockId = Object.keys(values).find(isSeverityBlock) ?? BLOCK.severity;
    const severityId = stateOf(values, severityBlockId)?.selected_option?.value ?? "";
    const severity = findSeverity(ctx.config.incident.severities, severityId);
    if (!severity) errors[severityBlockId] = `Pick one of ${ctx.config.incident.severities.map((s) => s.id).join(", ")}.`;

    const ic = stateOf(values, BLOCK.ic)?.selected_user ?? user.id;
    const check = await checkPerson(ctx, ic);
    if (!check.ok) errors[BLOCK.ic] = check.reason.replace(/<@[^>]+>/g, "That person");

    if (Object.keys(errors).length > 0) {
      await ack({ response_action: "errors", errors });
      return;
    }
    const impact = stripControls(stateOf(values, BLOCK.impact)?.value ?? "").trim();
    const detection = stripControls(stateOf(values, BLOCK.detection)?.value ?? "").trim();
    const options = stateOf(values, BLOCK.private)?.selected_options ?? [];
    const isPrivate = options.some((o) => o.value === "private");
    const isDrill = options.some((o) => o.value === "drill");
    const meta = parseMetadata(view.private_metadata);
    if (meta.alertGroupId) {
      try {
        await declareFromAlert(ctx, {
          groupId: meta.alertGroupId,
          userId: user.id,
          title,
          severity: (severity as { id: string }).id,
          icId: ic,
          isPrivate,
          isDrill,
          ...(impact ? { impact } : {}),
          ...(detection ? { detection } : {}),
          declareKey: `view:${view.id}`,
        });
      } catch (err) {
        if (err instanceof AlreadyTriagedError) {
          const ref = err.group.incidentId ? await incidentById(ctx, err.group.incidentId) : undefined;
          const why = alreadyTriaged({ status: err.group.status, decidedBy: err.group.decidedBy, incidentRef: ref ? incidentRef(ref) : null });
          await ack({ response_action: "errors", errors: { [BLOCK.title]: `${why.replace(/<@[^>]+>/g, "someone").replace(/[*`]/g, "")} Close this form.` } });
          return;
        }
        await formFailed(ctx.log, ack, BLOCK.title, { what: "the incident", err, context: { user: user.id, group: meta.alertGroupId } });
        return;
      }
      await ack();
      return;
    }
    try {
      await declare(ctx, {
        teamId: team?.id ?? user.team_id ?? ctx.bot.teamId,
        userId: user.id,
        title,
        severity: (severity as { id: string }).id,
        ...(impact ? { impact } : {}),
        ...(detection ? { detection } : {}),
        icId: ic,
        isPrivate,
        isDrill,
        ...(meta.originChannelId ? { originChannelId: meta.originChannelId } : {}),
        ...(meta.responseUrl ? { responseUrl: meta.responseUrl } : {}),
        // one view, one incident, however often it is submitted
        declareKey: `view:${view.id}`,
      });
    } catch (err) {
      await formFailed(ctx.log, ack, BLOCK.title, { what: "the incident", err, context: { user: user.id } });
      return;
    }
    await ack();
  });
}
