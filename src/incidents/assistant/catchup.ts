// /incident catchup: recorded before it is acknowledged ("Catching you up…"), answered a moment later
// by this process's worker, privately, through the command's response_url (replacing the "Catching
// you up…" line), or chat.postEphemeral when that no longer works. The answer is due within 20 s of
// the command; the model gets what is left of that.

import { z } from "zod";
import { requireSeverity } from "../../domain/severity.ts";
import { assistantFailedText, catchupMessage } from "../../slack/blocks/assistant.ts";
import { postToResponseUrl } from "../../slack/respond.ts";
import { loadIncident } from "../../store/incidents.ts";
import type { Ctx } from "../context.ts";
import { jobType } from "../job-type.ts";
import { askAssistant } from "./ask.ts";

/** What a catch-up may run to (three Block Kit sections). */
const CATCHUP_MAX_CHARS = 2_500;

export const CATCHUP_REQUEST = jobType({
  kind: "request.catchup",
  payload: z.object({ incidentId: z.uuid(), userId: z.string(), channelId: z.string(), responseUrl: z.string().optional(), requestedAt: z.number().int() }),
  failure: "catch you up on",
  asker: (p) => ({ userId: p.userId, responseUrl: p.responseUrl }),
  async run(ctx, req) {
    const incident = await loadIncident(ctx.db, req.incidentId);
    if (!incident) {
      await answer(ctx, req, { text: ":warning: That incident no longer exists." });
      return;
    }
    // due within the budget of the command; a request picked up late (the bot was down) still gets half
    const budget = ctx.assistant?.budgetsMs.catchup ?? 0;
    const elapsed = ctx.clock.now().getTime() - req.requestedAt;
    const budgetMs = Math.max(budget / 2, budget - Math.max(0, elapsed));
    const asked = await askAssistant(ctx, "catchup", incident, { budgetMs, flavour: "mrkdwn", maxChars: CATCHUP_MAX_CHARS, maxTokens: 700 });
    if (!asked.ok) {
      await answer(ctx, req, { text: assistantFailedText(asked.why, asked.ref, "`/incident info` shows the record.") });
      return;
    }
    const severity = requireSeverity(ctx.config.incident.severities, incident.severity);
    await answer(ctx, req, catchupMessage(incident, severity, ctx.clock.now(), asked.text, { model: asked.model, messages: asked.messagesSent, omitted: asked.messagesOmitted }));
  },
});

type Payload = z.output<typeof CATCHUP_REQUEST.payload>;

/** Privately to the person who asked: through the response_url, else as an ephemeral message. */
async function answer(ctx: Ctx, req: Payload, message: { text: string; blocks?: unknown[] }): Promise<void> {
  if (req.responseUrl) {
    try {
      await postToResponseUrl(req.responseUrl, { response_type: "ephemeral", replace_original: true, ...message });
      return;
    } catch (err) {
      ctx.log.warn({ err }, "could not answer a catch-up through its response_url: posting it as an ephemeral message");
    }
  }
  try {
    await ctx.slack.call("chat.postEphemeral", { channel: req.channelId, user: req.userId, ...message });
  } catch (err) {
    // not retried: asking the model again for a catch-up nobody can be shown helps no one
    ctx.log.warn({ err, incident: req.incidentId }, "could not deliver a catch-up: neither its response_url nor chat.postEphemeral worked");
  }
}
