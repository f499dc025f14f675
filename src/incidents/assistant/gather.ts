// What the assistant's model is given about one incident: the record (title, severity, status, roles,
// updates, timeline) as plain text with people by name, and the channel's messages since a moment,
// read newest first from conversations.history until the budget is full (the oldest are the ones
// cut). Nothing here decides whether the incident may be sent (ask.ts does) or removes secrets
// (prompts.ts does, on everything, after rendering).

import { DateTime } from "luxon";
import type { PromptData, PromptMessage } from "../../assistant/prompts.ts";
import { type Incident, incidentRef } from "../../domain/incident.ts";
import { STATUS_LABEL } from "../../domain/lifecycle.ts";
import { ROLE_INFO, SINGLE_ROLES } from "../../domain/roles.ts";
import { requireSeverity } from "../../domain/severity.ts";
import { oneLine, safeToPlain } from "../../domain/text.ts";
import { isSlackError } from "../../slack/api.ts";
import { humanDuration } from "../../slack/blocks/format.ts";
import { age } from "../../slack/blocks/info.ts";
import type { Ctx } from "../context.ts";

/** The newest timeline entries and updates kept in a prompt; the channel's messages carry the rest. */
const TIMELINE_MAX = 150;
const UPDATES_MAX = 30;
/**
 * conversations.history pages read at most for one question, of Slack's largest page (999 messages):
 * few calls, since the method is Tier 3 (50 a minute) and every catch-up shares it.
 */
const PAGES_MAX = 5;
const PAGE_SIZE = 999;

const utc = (d: Date) => DateTime.fromJSDate(d, { zone: "utc" }).toFormat("yyyy-MM-dd HH:mm");

type HistoryMessage = { ts?: string; user?: string; bot_id?: string; subtype?: string; text?: string; thread_ts?: string; reply_count?: number };

/**
 * The newest threads whose replies are read (conversations.replies, Tier 3 like history: a few calls
 * per question). The seeds send long discussion to threads, so a catch-up without them misses it.
 */
const THREADS_MAX = 8;

/** Message subtypes that are not people talking (joins, topic changes, pins…). */
const NOT_TALK = new Set(["channel_join", "channel_leave", "channel_topic", "channel_purpose", "channel_name", "pinned_item", "unpinned_item", "bot_add", "bot_remove", "channel_archive", "channel_unarchive", "group_join", "group_leave"]);

export interface Gathered {
  readonly data: PromptData;
  readonly messages: readonly PromptMessage[];
}

/** The record of `incident` for a prompt; `since` bounds the timeline (a drafted update: since the last one). */
export async function promptData(ctx: Ctx, incident: Incident, since: Date | undefined, now: Date): Promise<{ data: PromptData; nameOf: (id: string) => string | undefined }> {
  const [timeline, updates] = await Promise.all([
    ctx.db.timelineEntry.findMany({
      where: { incidentId: incident.id, kind: { not: "checklist" }, ...(since ? { at: { gt: since } } : {}) },
      orderBy: [{ at: "desc" }, { id: "desc" }],
      take: TIMELINE_MAX,
    }),
    ctx.db.statusUpdate.findMany({ where: { incidentId: incident.id }, orderBy: { postedAt: "desc" }, take: UPDATES_MAX }),
  ]);
  timeline.reverse();
  updates.reverse();
  const ids = new Set<string>([incident.declaredBy, ...incident.responders]);
  for (const r of SINGLE_ROLES) {
    const holder = incident.roles[r];
    if (holder) ids.add(holder);
  }
  for (const e of timeline) {
    if (e.actorId) ids.add(e.actorId);
    for (const m of e.text.matchAll(/<@([UW][A-Z0-9]+)>/g)) ids.add(m[1] as string);
  }
  for (const u of updates) ids.add(u.authorId);
  const names = await ctx.users.names([...ids].filter((id) => /^[UW][A-Z0-9]+$/.test(id)));
  const nameOf = (id: string) => names.get(id);
  const at = (id: string | null) => (id ? `@${names.get(id) ?? id}` : "");
  const plain = (safe: string) => oneLine(safeToPlain(safe, nameOf));
  const severity = requireSeverity(ctx.config.incident.severities, incident.severity);
  const roles = SINGLE_ROLES.map((r) => ({ label: ROLE_INFO[r].label, people: incident.roles[r] ? at(incident.roles[r]) : "nobody yet" }));
  roles.push({ label: "Responders", people: incident.responders.length > 0 ? incident.responders.map(at).join(", ") : "none yet" });
  const shownUpdates = updates.map((u) => ({ at_utc: utc(u.postedAt), status: STATUS_LABEL[u.status], text: plain(u.text), by: at(u.authorId) }));
  const last = updates.at(-1);
  return {
    nameOf,
    data: {
      incident: {
        number: incidentRef(incident),
        title: incident.title,
        severity: { id: severity.id, label: severity.label },
        status: STATUS_LABEL[incident.status],
        private: incident.isPrivate,
        drill: incident.isDrill,
        declared_at: `${utc(incident.declaredAt)} UTC`,
        age: age(incident.declaredAt, now),
        impact: incident.impact ?? "",
        detection: incident.detection ?? "",
        status_summary: incident.statusSummary ? plain(incident.statusSummary) : "",
        channel: incident.channelName ? `#${incident.channelName}` : "",
        cadence: severity.cadence ? `every ${humanDuration(severity.cadence)}` : "",
        next_update_due: incident.nextUpdateDueAt ? `${utc(incident.nextUpdateDueAt)} UTC` : "",
      },
      roles,
      last_update: last ? { at_utc: `${utc(last.postedAt)} UTC`, ago: age(last.postedAt, now), status: STATUS_LABEL[last.status], text: plain(last.text), by: at(last.authorId) } : null,
      updates: shownUpdates,
      timeline: timeline.map((e) => ({ at_utc: utc(e.at), actor: e.kind === "message" || e.kind === "note" ? at(e.actorId) : "", text: plain(e.text) })),
      since_utc: `${utc(since ?? incident.declaredAt)} UTC`,
      now_utc: `${utc(now)} UTC`,
    },
  };
}

/**
 * The channel's messages since `since` (all of them without), oldest first, at most about `maxChars`
 * of text: read newest first, a page at a time, until the budget is full, the channel's start is
 * reached, or `deadline` passes; then the replies of the newest threads among them, while there is
 * budget and time. The bot's own messages are left out (the record has them). When Slack cannot
 * answer, what was read so far (perhaps nothing) is what the model gets.
 */
export async function channelMessages(ctx: Ctx, incident: Incident, since: Date | undefined, maxChars: number, deadline: number, nameOf: (id: string) => string | undefined): Promise<PromptMessage[]> {
  if (!incident.channelId) return [];
  const raw: HistoryMessage[] = [];
  let chars = 0;
  let cursor: string | undefined;
  try {
    for (let page = 0; page < PAGES_MAX && chars < maxChars && Date.now() < deadline; page++) {
      const r = await ctx.slack.call<{ ok: boolean; messages?: HistoryMessage[]; has_more?: boolean; response_metadata?: { next_cursor?: string } }>("conversations.history", {
        channel: incident.channelId,
        limit: PAGE_SIZE,
        ...(since ? { oldest: (since.getTime() / 1000).toFixed(6) } : {}),
        ...(cursor ? { cursor } : {}),
      });
      for (const m of r.messages ?? []) {
        if (!m.ts || !m.text || (m.subtype && NOT_TALK.has(m.subtype))) continue;
        if (m.user === ctx.bot.userId || m.bot_id === ctx.bot.botId) continue;
        raw.push(m);
        chars += m.text.length + 40;
      }
      cursor = r.response_metadata?.next_cursor || undefined;
      if (!cursor) break;
    }
  } catch (err) {
    ctx.log.warn({ incident: incident.id, code: isSlackError(err) ? err.code : undefined, err: isSlackError(err) ? undefined : err }, "could not read the incident channel for the assistant: it gets the record only");
  }
  // threads get a quarter of the budget even when the channel filled it: the prompt keeps the newest of both
  const replies = await threadReplies(ctx, incident.channelId, raw, since, Math.max(maxChars - chars, maxChars / 4), deadline);
  const inThread = new Set(replies.map((m) => m.ts));
  const all = [...raw.filter((m) => !inThread.has(m.ts)), ...replies];
  // people by name; ids the record did not know are looked up once
  const unknown = [...new Set(all.flatMap((m) => [m.user ?? "", ...[...(m.text ?? "").matchAll(/<@([UW][A-Z0-9]+)>/g)].map((x) => x[1] as string)]))].filter((id) => /^[UW][A-Z0-9]+$/.test(id) && nameOf(id) === undefined);
  const more = unknown.length > 0 ? await ctx.users.names(unknown) : new Map<string, string>();
  const name = (id: string) => nameOf(id) ?? more.get(id);
  return all
    .sort((a, b) => Number(a.ts) - Number(b.ts))
    .map((m) => ({
      at_utc: utc(new Date(Number(m.ts) * 1000)),
      author: m.user ? `@${name(m.user) ?? m.user}` : "a bot",
      text: `${m.thread_ts && m.thread_ts !== m.ts ? "(in a thread) " : ""}${safeToPlain(m.text ?? "", name).replace(/\s*\n\s*/g, " / ").trim()}`,
    }));
}

/** The replies (not the parents) of the newest threads among `parents`, since `since`, within `room` characters. */
async function threadReplies(ctx: Ctx, channel: string, parents: readonly HistoryMessage[], since: Date | undefined, room: number, deadline: number): Promise<HistoryMessage[]> {
  const threads = parents.filter((m) => (m.reply_count ?? 0) > 0).sort((a, b) => Number(b.ts) - Number(a.ts)).slice(0, THREADS_MAX);
  const out: HistoryMessage[] = [];
  let chars = 0;
  for (const parent of threads) {
    const ts = parent.ts;
    if (!ts) continue;
    if (chars >= room || Date.now() >= deadline) break;
    try {
      const r = await ctx.slack.call<{ ok: boolean; messages?: HistoryMessage[] }>("conversations.replies", { channel, ts, limit: 200, ...(since ? { oldest: (since.getTime() / 1000).toFixed(6) } : {}) });
      for (const m of r.messages ?? []) {
        if (!m.ts || m.ts === ts || !m.text || m.user === ctx.bot.userId || m.bot_id === ctx.bot.botId) continue;
        out.push({ ...m, thread_ts: ts });
        chars += m.text.length + 40;
      }
    } catch (err) {
      ctx.log.warn({ channel, code: isSlackError(err) ? err.code : undefined, err: isSlackError(err) ? undefined : err }, "could not read a thread for the assistant: it gets the channel without it");
      break;
    }
  }
  return out;
}
