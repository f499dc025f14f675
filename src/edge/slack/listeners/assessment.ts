// "Help me choose" in the declare form: pushes the severity assessment over it; submitting the
// assessment returns to the declare form (Slack closes the pushed view on a plain acknowledgement)
// after it has been rebuilt with the suggested severity selected, one line of reasons, and what had
// been typed kept.

import type { App } from "@slack/bolt";
import { z } from "zod";
import { isComplete, QUESTIONS, suggestSeverity } from "../../../domain/assessment.ts";
import type { Ctx } from "../../../incidents/context.ts";
import { assessmentModal } from "../../../slack/blocks/war-room/assessment.ts";
import { type DeclareFormValues, declareModal } from "../../../slack/blocks/war-room/declare-modal.ts";
import { ACTION, BLOCK, CALLBACK } from "../../../slack/ids.ts";
import { logFailure } from "../failures.ts";
import { stateOf, viewSubmission } from "../payloads.ts";
import { onAction } from "./replies.ts";

const METADATA_MAX = 3000;

const hidden = z.object({
  /** The declare form to return to. */
  parent: z.string().min(1).max(100),
  /** The declare form's own hidden data, kept as it was. */
  meta: z.string().max(3000).default(""),
  values: z.object({ title: z.string().optional(), impact: z.string().optional(), detection: z.string().optional(), ic: z.string().optional(), private: z.boolean().optional() }).default({}),
});

type StateValues = Record<string, Record<string, unknown>>;

/** What has been typed in the declare form, read from its state (the shape Slack sends). */
function typed(values: StateValues | undefined): DeclareFormValues {
  if (!values) return {};
  const read = z.object({ value: z.string().nullable().optional(), selected_user: z.string().nullable().optional(), selected_options: z.array(z.object({ value: z.string() })).optional() }).partial();
  const of = (block: string) => {
    const entry = values[block];
    const first = entry ? Object.values(entry)[0] : undefined;
    const r = read.safeParse(first);
    return r.success ? r.data : {};
  };
  const out: DeclareFormValues = {};
  const title = of(BLOCK.title).value;
  const impact = of(BLOCK.impact).value;
  const detection = of(BLOCK.detection).value;
  const ic = of(BLOCK.ic).selected_user;
  if (title) out.title = title;
  if (impact) out.impact = impact;
  if (detection) out.detection = detection;
  if (ic) out.ic = ic;
  if ((of(BLOCK.private).selected_options ?? []).some((o) => o.value === "private")) out.private = true;
  if ((of(BLOCK.private).selected_options ?? []).some((o) => o.value === "drill")) out.drill = true;
  return out;
}

/** The pushed form's hidden data; long texts are left to Slack (it keeps them while their ids stay) when they do not fit. */
function hiddenData(parent: string, meta: string, values: DeclareFormValues): string {
  const attempt = (v: DeclareFormValues) => JSON.stringify({ parent, meta, values: v });
  let json = attempt(values);
  if (json.length > METADATA_MAX) json = attempt({ ...values, impact: undefined });
  if (json.length > METADATA_MAX) json = attempt({ ...values, impact: undefined, detection: undefined });
  if (json.length > METADATA_MAX) json = JSON.stringify({ parent, meta, values: {} });
  return json;
}

export function registerAssessmentListeners(app: App, ctx: Ctx): void {
  onAction(app, ctx, ACTION.assessSeverity, "the severity assessment", async ({ body, ack, whisper, receivedAt }) => {
    await ack();
    const view = body.view;
    if (!view || view.callback_id !== CALLBACK.declareModal) {
      await whisper(":warning: That button could not be read.");
      return;
    }
    const pushed = assessmentModal(hiddenData(view.id, view.private_metadata, typed(view.state?.values)));
    try {
      await ctx.slack.callInteractive("views.push", { trigger_id: body.trigger_id, view: pushed });
    } catch (err) {
      // a form has no response_url: the person sees the button did nothing, and the log says why
      logFailure(ctx.log, { what: "opening the severity assessment", err, context: { user: body.user.id, ms: ctx.clock.now().getTime() - receivedAt } });
    }
  });

  app.view(CALLBACK.assessModal, async ({ ack, body }) => {
    const parsed = viewSubmission.safeParse(body);
    let meta: z.infer<typeof hidden> | undefined;
    try {
      meta = parsed.success ? hidden.parse(JSON.parse(parsed.data.view.private_metadata)) : undefined;
    } catch {
      meta = undefined;
    }
    if (!parsed.success || !meta) {
      await ack({ response_action: "errors", errors: { [QUESTIONS[0]?.id ?? "users"]: "This form could not be read. Close it and try again." } });
      return;
    }
    const answers: Record<string, string> = {};
    const errors: Record<string, string> = {};
    for (const q of QUESTIONS) {
      const v = stateOf(parsed.data.view.state.values, q.id)?.selected_option?.value;
      if (v && q.choices.some((c) => c.value === v)) answers[q.id] = v;
      else errors[q.id] = "Pick an answer (Not sure is fine).";
    }
    if (!isComplete(answers)) {
      await ack({ response_action: "errors", errors });
      return;
    }
    const suggestion = suggestSeverity(answers, ctx.config.incident.severities);
    const rebuilt = declareModal(ctx.config.incident.severities, parsed.data.user.id, meta.meta, { suggestion, values: meta.values });
    try {
      await ctx.slack.callInteractive("views.update", { view_id: meta.parent, view: rebuilt });
    } catch (err) {
      const ref = logFailure(ctx.log, { what: "returning the suggestion to the declare form", err, context: { user: parsed.data.user.id } });
      await ack({ response_action: "errors", errors: { [QUESTIONS[0]?.id ?? "users"]: `The declare form could not be updated (reference ${ref}). Suggested: ${suggestion.reason}` } });
      return;
    }
    ctx.log.info({ user: parsed.data.user.id, suggested: suggestion.severity.id }, "severity suggested");
    await ack();
  });
}
