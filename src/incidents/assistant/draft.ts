// "Draft with AI" in the status-update form: an update written by the model from the channel since the
// last update (the declaration, before the first), in the seeds' update format. The status it
// suggests goes to the form's status field; the text to its summary. Nothing is posted here: the
// person edits the form and submits it (or not).

import { type ActiveStatus } from "../../domain/lifecycle.ts";
import type { Incident } from "../../domain/incident.ts";
import { draftedStatus } from "../../domain/assistant/model-text.ts";
import type { Ctx } from "../context.ts";
import { askAssistant } from "./ask.ts";

/** The form's summary field holds 3000 characters. */
const DRAFT_MAX_CHARS = 3000;

export type Drafted = { ok: true; text: string; status?: ActiveStatus; model: string } | { ok: false; why: string; ref?: string };

export async function draftUpdate(ctx: Ctx, incident: Incident, clickedAt: number): Promise<Drafted> {
  const budget = ctx.assistant?.budgetsMs.update ?? 0;
  const elapsed = Math.max(0, ctx.clock.now().getTime() - clickedAt);
  const asked = await askAssistant(ctx, "update", incident, {
    ...(incident.lastUpdateAt ? { since: incident.lastUpdateAt } : {}),
    budgetMs: Math.max(budget / 4, budget - elapsed),
    flavour: "plain",
    maxChars: DRAFT_MAX_CHARS,
    maxTokens: 500,
    reject: (text) => (draftedStatus(text).text === "" ? "it answered with a status and nothing else" : undefined),
  });
  if (!asked.ok) return asked;
  const { status, text } = draftedStatus(asked.text);
  return { ok: true, text, model: asked.model, ...(status ? { status } : {}) };
}
