// The /incident sub-commands that act on incidents. Each records its change before acknowledging, so
// what the user is told has happened has happened, and answers in the acknowledgement itself.

import { buttonTracker } from "../../../incidents/followups/items.ts";
import type { CommandKind } from "../../../domain/commands.ts";
import { type Incident, incidentRef } from "../../../domain/incident.ts";
import { ROLE_INFO } from "../../../domain/roles.ts";
import { defaultSeverity, requireSeverity } from "../../../domain/severity.ts";
import type { Ctx } from "../../../incidents/context.ts";
import { recordRequest } from "../../../incidents/requests.ts";
import { DECLARE_REQUEST } from "../../../incidents/war-room/declare.ts";
import { assignRoleJourney, checkPerson, handoffJourney } from "../../../incidents/war-room/roles.ts";
import { setStatusJourney } from "../../../incidents/war-room/status.ts";
import { addNote } from "../../../incidents/war-room/timeline.ts";
import { changeSeverityJourney, postUpdateJourney } from "../../../incidents/war-room/updates.ts";
import { addActionItem } from "../../../incidents/resolution/action-items.ts";
import { repostChecklist } from "../../../incidents/war-room/checklist.ts";
import { effectiveTimestamps } from "../../../domain/record.ts";
import { recorded } from "../../../incidents/numbers/record.ts";
import { statsFor } from "../../../incidents/numbers/stats.ts";
import { statsMessage } from "../../../slack/blocks/numbers/stats.ts";
import { timestampsModal } from "../../../slack/blocks/numbers/timestamps.ts";
import { statuspageForm, whyNotStatuspage } from "../../../incidents/out/statuspage.ts";
import { statuspageRefusal } from "../../../slack/blocks/out/statuspage.ts";
import { closeJourney, reopenJourney, requestPostmortem, resolveJourney, whyNotResolve } from "../../../incidents/resolution/resolve.ts";
import { incidentInChannel, infoFacts, openIncidentsFor } from "../../../incidents/lookup.ts";
import { whyNotAsk } from "../../../incidents/assistant/ask.ts";
import { CATCHUP_REQUEST } from "../../../incidents/assistant/catchup.ts";
import { resolveModal } from "../../../slack/blocks/resolution/messages.ts";
import { updateForm } from "./updates.ts";
import { openModal } from "../modals.ts";
import { declaringAck } from "../../../slack/blocks/war-room/announcements.ts";
import { declareModal } from "../../../slack/blocks/war-room/declare-modal.ts";
import { infoMessage, listMessage } from "../../../slack/blocks/info.ts";
import { errorMessage, infoMessage as plainMessage } from "../../../slack/blocks/replies.ts";
import { refusalText } from "../../../slack/blocks/refusals.ts";
import type { CommandHandlers, CommandRequest } from "./command.ts";

type InIncident<K extends CommandKind> = (req: CommandRequest<K>, incident: Incident) => Promise<void>;

/** Runs `fn` with the incident of the channel the command was typed in, or says where it works. */
function inIncident<K extends CommandKind>(ctx: Ctx, fn: InIncident<K>) {
  return async (req: CommandRequest<K>) => {
    const incident = await incidentInChannel(ctx, req.payload.channel_id);
    if (!incident) {
      await req.ack(
        errorMessage(
          `\`/incident ${req.command.kind}\` works inside an incident channel, and this channel is not one.`,
          "Run it in the incident's channel: `/incident list` shows the open incidents and their channels.",
        ),
      );
      return;
    }
    await fn(req, incident);
  };
}

export function incidentCommandHandlers(ctx: Ctx): CommandHandlers {
  const ladder = ctx.config.incident.severities;
  return {
    async declare(req) {
      const { payload, command } = req;
      if (!command.title) {
        await req.ack();
        const view = declareModal(ladder, payload.user_id, { ...(payload.response_url ? { responseUrl: payload.response_url } : {}), originChannelId: payload.channel_id }, command.drill ? { values: { drill: true } } : {});
        const opened = await openModal(ctx, payload.trigger_id, view, "declare", req.receivedAt);
        if (!opened.ok) await req.respond(errorMessage(`The declare form could not open. ${opened.why}`, "Try again, or declare at once: `/incident declare sev2 <title>`."));
        return;
      }
      // declare early: this path must be fast. The request is recorded as a job in one statement,
      // acknowledged, and declared a moment later; the confirmation with the channel follows.
      const severity = requireSeverity(ladder, command.severity ?? defaultSeverity(ladder).id);
      await recordRequest(ctx, DECLARE_REQUEST, req.requestKey, {
        teamId: payload.team_id,
        userId: payload.user_id,
        title: command.title,
        severity: severity.id,
        ...(command.drill ? { isDrill: true } : {}),
        originChannelId: payload.channel_id,
        ...(payload.response_url ? { responseUrl: payload.response_url } : {}),
        declareKey: req.requestKey,
      });
      await req.ack(declaringAck(command.title, severity, Boolean(command.severityDefaulted), Boolean(command.drill)));
    },

    update: inIncident(ctx, async (req, incident) => {
      if (!req.command.text) {
        await req.ack();
        const opened = await openModal(ctx, req.payload.trigger_id, updateForm(ctx, incident), "update", req.receivedAt);
        if (!opened.ok) await req.respond(errorMessage(`The update form could not open. ${opened.why}`, "Post the update directly: `/incident update <text>`."));
        return;
      }
      const r = await postUpdateJourney(ctx, { incidentId: incident.id, text: req.command.text, actor: req.payload.user_id, requestKey: req.requestKey });
      if ("refusal" in r) await req.ack(errorMessage(refusalText(r.refusal, r.incident)));
      else if (r.ok) await req.ack(plainMessage(`Update posted on ${incidentRef(r.after)}; the update clock restarted.`));
    }),

    sev: inIncident(ctx, async (req, incident) => {
      const r = await changeSeverityJourney(ctx, { incidentId: incident.id, severity: req.command.severity, reason: req.command.reason, actor: req.payload.user_id, requestKey: req.requestKey });
      if ("refusal" in r) await req.ack(errorMessage(refusalText(r.refusal, r.incident)));
      else if (r.ok) await req.ack(plainMessage(`${incidentRef(r.after)} is now ${r.after.severity} (was ${r.before.severity}).`));
    }),

    note: inIncident(ctx, async (req, incident) => {
      await addNote(ctx, { incidentId: incident.id, text: req.command.text, actor: req.payload.user_id, requestKey: req.requestKey });
      await req.ack(plainMessage(`Added to the timeline of ${incidentRef(incident)}.`));
    }),

    resolve: inIncident(ctx, async (req, incident) => {
      if (!req.command.summary) {
        // refuse before opening the form if the answer is already no
        const refusal = whyNotResolve(ctx, incident, req.payload.user_id);
        if (refusal) {
          await req.ack(errorMessage(refusalText(refusal, incident)));
          return;
        }
        await req.ack();
        const opened = await openModal(ctx, req.payload.trigger_id, resolveModal(incident), "resolve", req.receivedAt);
        if (!opened.ok) await req.respond(errorMessage(`The resolve form could not open. ${opened.why}`, "Resolve directly: `/incident resolve <summary>`."));
        return;
      }
      const r = await resolveJourney(ctx, { incidentId: incident.id, summary: req.command.summary, actor: req.payload.user_id, requestKey: req.requestKey });
      if ("refusal" in r) await req.ack(errorMessage(refusalText(r.refusal, r.incident)));
      else if (r.ok) await req.ack(plainMessage(`${incidentRef(r.after)} is resolved. Reminders stopped; the postmortem draft is on its way.`));
    }),

    reopen: inIncident(ctx, async (req, incident) => {
      const r = await reopenJourney(ctx, { incidentId: incident.id, reason: req.command.reason, actor: req.payload.user_id, requestKey: req.requestKey });
      if ("refusal" in r) await req.ack(errorMessage(refusalText(r.refusal, r.incident)));
      else if (r.ok) await req.ack(plainMessage(`${incidentRef(r.after)} is reopened; the update reminders resume.`));
    }),

    close: inIncident(ctx, async (req, incident) => {
      const r = await closeJourney(ctx, { incidentId: incident.id, actor: req.payload.user_id, requestKey: req.requestKey });
      if ("refusal" in r) await req.ack(errorMessage(refusalText(r.refusal, r.incident)));
      else if (r.ok) await req.ack(plainMessage(`${incidentRef(r.after)} is closed. Thank you.`));
    }),

    postmortem: inIncident(ctx, async (req, incident) => {
      if (incident.status !== "resolved" && incident.status !== "closed") {
        await req.ack(errorMessage(`${incidentRef(incident)} is not resolved yet: the postmortem is drafted when it is (\`/incident resolve <summary>\`).`));
        return;
      }
      await requestPostmortem(ctx, incident, req.payload.user_id, req.requestKey);
      await req.ack(plainMessage(`Re-drafting the postmortem of ${incidentRef(incident)} from the current record…`));
    }),

    action: inIncident(ctx, async (req, incident) => {
      const { text, ownerId, due, priority } = req.command;
      if (ownerId) {
        const person = await checkPerson(ctx, ownerId);
        if (!person.ok) {
          await req.ack(errorMessage(person.reason));
          return;
        }
      }
      const item = await addActionItem(ctx, { incident, text, ...(ownerId ? { ownerId } : {}), ...(due ? { due } : {}), priority, actor: req.payload.user_id, requestKey: req.requestKey });
      if (!item) return;
      const missing = [!ownerId ? "an owner" : "", !due ? "a due date" : ""].filter(Boolean).join(" and ");
      await req.ack(plainMessage(`Action item #${item.number} added to ${incidentRef(incident)}.${missing ? ` Give it ${missing} so it gets done.` : ""}`));
    }),

    status: inIncident(ctx, async (req, incident) => {
      const r = await setStatusJourney(ctx, { incidentId: incident.id, status: req.command.status, actor: req.payload.user_id, requestKey: req.requestKey });
      if ("refusal" in r) await req.ack(errorMessage(refusalText(r.refusal, r.incident)));
      else if (r.ok) await req.ack(plainMessage(`${incidentRef(r.after)} is now *${req.command.status}*.`));
    }),

    role: inIncident(ctx, async (req, incident) => {
      const { role, userId } = req.command;
      const person = await checkPerson(ctx, userId);
      if (!person.ok) {
        await req.ack(errorMessage(person.reason));
        return;
      }
      const r = await assignRoleJourney(ctx, { incidentId: incident.id, role, userId, actor: req.payload.user_id, requestKey: req.requestKey });
      if ("refusal" in r) await req.ack(errorMessage(refusalText(r.refusal, r.incident, userId)));
      else if (r.ok) await req.ack(plainMessage(role === "responder" ? `<@${userId}> is now a responder on ${incidentRef(r.after)}.` : `<@${userId}> is now the ${ROLE_INFO[role].label} of ${incidentRef(r.after)}.`));
    }),

    handoff: inIncident(ctx, async (req, incident) => {
      const { userId, summary } = req.command;
      const person = await checkPerson(ctx, userId);
      if (!person.ok) {
        await req.ack(errorMessage(person.reason));
        return;
      }
      const r = await handoffJourney(ctx, { incidentId: incident.id, to: userId, actor: req.payload.user_id, requestKey: req.requestKey, ...(summary ? { summary } : {}) });
      if ("refusal" in r) await req.ack(errorMessage(refusalText(r.refusal, r.incident, userId)));
      else if (r.ok) await req.ack(plainMessage(`You handed Incident Commander of ${incidentRef(r.after)} to <@${userId}>.`));
    }),

    timestamps: inIncident(ctx, async (req, incident) => {
      await req.ack();
      const view = timestampsModal(incident, effectiveTimestamps(recorded(incident, ctx.bot.userId)), incident.timestampSources);
      const opened = await openModal(ctx, req.payload.trigger_id, view, "timestamps", req.receivedAt);
      if (!opened.ok) await req.respond(errorMessage(`The timestamps form could not open. ${opened.why}`, "Try `/incident timestamps` again in a moment."));
    }),

    statuspage: inIncident(ctx, async (req, incident) => {
      const refusal = whyNotStatuspage(ctx, incident);
      if (refusal) {
        await req.ack(errorMessage(statuspageRefusal(refusal, incident)));
        return;
      }
      await req.ack();
      const view = await statuspageForm(ctx, incident);
      const opened = await openModal(ctx, req.payload.trigger_id, view, "statuspage", req.receivedAt);
      if (!opened.ok) await req.respond(errorMessage(`The status page form could not open. ${opened.why}`, "Try `/incident statuspage` again in a moment."));
    }),

    async stats(req) {
      const report = await statsFor(ctx, req.command.period);
      await req.ack(statsMessage(report.stats, req.command.period, ladder));
    },

    checklist: inIncident(ctx, async (req, incident) => {
      const p = await repostChecklist(ctx, incident, req.requestKey);
      await req.ack(plainMessage(p ? `Posting the checklist of ${incidentRef(incident)} again: ${p.done} of ${p.total} done.` : `The checklist of ${incidentRef(incident)} is on its way.`));
    }),

    info: inIncident(ctx, async (req, incident) => {
      const facts = await infoFacts(ctx, incident);
      await req.ack(infoMessage(incident, requireSeverity(ladder, incident.severity), ctx.clock.now(), facts.actionItems, facts.recent, facts, buttonTracker(ctx)));
    }),

    catchup: inIncident(ctx, async (req, incident) => {
      const refusal = whyNotAsk(ctx, incident);
      if (refusal) {
        await req.ack(errorMessage(`I cannot catch you up: ${refusal}.`, "`/incident info` shows the record: severity, status, roles and the latest summary."));
        return;
      }
      // the model takes seconds: recorded and acknowledged now, answered privately a moment later
      await recordRequest(
        ctx,
        CATCHUP_REQUEST,
        req.requestKey,
        { incidentId: incident.id, userId: req.payload.user_id, channelId: req.payload.channel_id, requestedAt: req.receivedAt, ...(req.payload.response_url ? { responseUrl: req.payload.response_url } : {}) },
        incident.id,
      );
      await req.ack(plainMessage(`:hourglass_flowing_sand: Catching you up on ${incidentRef(incident)}…`));
    }),

    async list(req) {
      // a private incident's existence stays with its own people
      await req.ack(listMessage(await openIncidentsFor(ctx, req.payload.team_id, req.payload.user_id), ladder, ctx.clock.now()));
    },
  };
}
