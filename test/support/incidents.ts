// Helpers for driving incidents end to end the way people do it in Slack: declaring, clicking the
// opening message's buttons (read from the message the bot actually posted), picking people, and
// submitting the forms the bot actually opened.

import type { FakeConversation, FakeMessage, FakeUser } from "../../src/local-slack/workspace.ts";
import type { Db } from "../../src/store/database.ts";
import type { Harness } from "./harness.ts";
import { until } from "./wait.ts";

export interface DeclaredIncident {
  id: string;
  number: number;
  channel: FakeConversation;
  opening: FakeMessage;
}

/** Waits until the incident's channel exists and its opening message is posted and pinned. */
export function waitUntilReady(h: Harness, incidentId: string, timeoutMs = 15_000): Promise<DeclaredIncident> {
  return until(
    async () => {
      const row = await h.db.incident.findUnique({ where: { id: incidentId } });
      const channel = row?.channelId ? h.fake.ws.conversations.get(row.channelId) : undefined;
      const opening = row?.openingTs && channel ? channel.messages.find((m) => m.ts === row.openingTs) : undefined;
      return row && channel && opening && channel.pins.has(opening.ts) ? { id: row.id, number: row.number, channel, opening } : undefined;
    },
    timeoutMs,
    `incident ${incidentId} to be ready (channel, opening message, pin)`,
  );
}

/**
 * The incident a fast-path declaration (acknowledged first, declared a moment later) made, found by
 * its declaration key; undefined if it made none (e.g. a duplicate) once its request was handled.
 */
export async function declaredBy(db: Db, teamId: string, triggerId: string, timeoutMs = 10_000): Promise<{ id: string } | undefined> {
  const key = `cmd:${teamId}:${triggerId}`;
  const started = Date.now();
  const found = await until(
    async () => {
      const row = await db.incident.findUnique({ where: { declareKey: key }, select: { id: true } });
      if (row) return { row };
      // no request left to handle (after a moment for it to be recorded): it made no incident
      const pending = await db.job.count({ where: { kind: "request.declare", status: "pending" } });
      return pending === 0 && Date.now() - started > 200 ? { row: await db.incident.findUnique({ where: { declareKey: key }, select: { id: true } }) } : undefined;
    },
    timeoutMs,
    `the declaration ${triggerId} to be handled`,
    20,
  );
  return found.row ?? undefined;
}

/** Waits until every request recorded before its acknowledgement has been handled. */
export async function settled(h: Harness, timeoutMs = 10_000): Promise<void> {
  await until(async () => (await h.db.job.count({ where: { kind: { startsWith: "request." }, status: "pending" } })) === 0, timeoutMs, "the recorded requests to be handled", 20);
}

/** `/incident declare <text>` in #general; returns the ack and the ready incident. */
export async function declareFast(h: Harness, text: string, user: FakeUser = h.users.alice) {
  const res = await h.slack.command(`declare ${text}`, { user: user.id, channel: h.general.id });
  if (res.status !== 200) throw new Error(`declare answered ${res.status}: ${res.text}`);
  const row = await declaredBy(h.db, h.fake.ws.teamId, res.triggerId);
  if (!row) throw new Error(`nothing was declared: ${res.text}`);
  return { res, incident: await waitUntilReady(h, row.id) };
}

/** The current opening message of an incident, as the fake holds it. */
export function openingOf(_h: Harness, inc: DeclaredIncident): FakeMessage {
  const m = inc.channel.messages.find((x) => x.ts === inc.opening.ts);
  if (!m) throw new Error("opening message vanished");
  return m;
}

type Block = { type: string; block_id?: string; elements?: Record<string, unknown>[]; accessory?: Record<string, unknown>; text?: { text: string } };

function blocksOf(m: FakeMessage): Block[] {
  return (m.blocks ?? []) as Block[];
}

/**
 * Clicks a button of a message as the bot posted it (as it is now in the channel): the first whose
 * action_id is `actionId`, or, for a button family, starts with `actionId` (e.g. "warroom.take_role:tech").
 */
export async function clickButton(h: Harness, channel: FakeConversation, message: FakeMessage, actionId: string, user: FakeUser, opts: { asShown?: boolean } = {}) {
  // asShown: the message as the person's client still shows it (a stale copy)
  const current = opts.asShown ? message : (channel.messages.find((m) => m.ts === message.ts) ?? message);
  for (const block of blocksOf(current)) {
    const button = block.type === "actions" ? block.elements?.find((e) => e.type === "button" && (e.action_id === actionId || String(e.action_id).startsWith(actionId))) : undefined;
    if (!button) continue;
    const responseUrl = h.fake.responseUrl();
    const triggerId = h.fake.ws.newTrigger(user.id);
    const res = await h.slack.interaction(
      blockActionPayload(h, user, channel, current, responseUrl, { action_id: button.action_id, block_id: block.block_id, value: button.value, type: "button", text: button.text }, triggerId),
    );
    return { res, responseUrl, triggerId };
  }
  throw new Error(`no button ${actionId} in message ${message.ts}`);
}

/** Clicks a role's take button in the opening message as it is now. */
export async function clickTake(h: Harness, inc: DeclaredIncident, role: string, user: FakeUser) {
  const clicked = await clickButton(h, inc.channel, openingOf(h, inc), `warroom.take_role:${role}`, user);
  await settled(h);
  return clicked;
}

/** Picks a person in a role's user picker in the opening message. */
export async function pickUser(h: Harness, inc: DeclaredIncident, role: string, actor: FakeUser, selected: string) {
  const message = openingOf(h, inc);
  const row = blocksOf(message).find((b) => b.block_id?.startsWith(`role:${role}:`));
  if (!row?.accessory) throw new Error(`no picker for ${role}`);
  const responseUrl = h.fake.responseUrl();
  const res = await h.slack.interaction(
    blockActionPayload(h, actor, inc.channel, message, responseUrl, {
      action_id: row.accessory.action_id,
      block_id: row.block_id,
      type: "users_select",
      selected_user: selected,
      initial_user: row.accessory.initial_user,
    }),
  );
  await settled(h);
  return { res, responseUrl };
}

function blockActionPayload(h: Harness, user: FakeUser, channel: FakeConversation, message: FakeMessage, responseUrl: string, action: Record<string, unknown>, triggerId = h.fake.ws.newTrigger(user.id)) {
  return {
    type: "block_actions",
    user: { id: user.id, username: user.name, name: user.name, team_id: h.fake.ws.teamId },
    api_app_id: h.fake.ws.appId,
    token: "verification_token",
    container: { type: "message", message_ts: message.ts, channel_id: channel.id, is_ephemeral: false },
    trigger_id: triggerId,
    team: { id: h.fake.ws.teamId, domain: h.fake.ws.teamDomain },
    channel: { id: channel.id, name: channel.name },
    message: { type: "message", ts: message.ts, text: message.text, blocks: message.blocks },
    response_url: responseUrl,
    actions: [{ ...action, action_ts: `${Date.now() / 1000}` }],
  };
}

/**
 * The ephemeral texts posted to a response_url. They follow the acknowledgement, so this waits until
 * none has arrived for a moment.
 */
export async function replies(h: Harness, responseUrl: string, quietMs = 150): Promise<string[]> {
  let count = -1;
  let since = Date.now();
  await until(
    () => {
      const now = h.fake.responsesTo(responseUrl).length;
      if (now !== count) {
        count = now;
        since = Date.now();
        return false;
      }
      return Date.now() - since >= quietMs;
    },
    30_000,
    "the replies to stop arriving",
    10,
  );
  return h.fake.responsesTo(responseUrl).map((r) => (typeof r.body.text === "string" ? r.body.text : ""));
}

export interface DeclareForm {
  title: string;
  severity?: string;
  impact?: string;
  detection?: string;
  commander?: string;
  private?: boolean;
}

/** Opens the declare form with `/incident declare` and submits it as `user` filled it in. */
export async function submitDeclareForm(h: Harness, form: DeclareForm, user: FakeUser = h.users.alice, opts: { viewId?: string } = {}) {
  const cmd = await h.slack.command("declare", { user: user.id, channel: h.general.id });
  const opened = await until(() => h.fake.okCallsTo("views.open").find((c) => c.args.trigger_id === cmd.triggerId), 5000, "views.open");
  const view = opened.response.view as Record<string, unknown>;
  const values: Record<string, Record<string, unknown>> = {
    title: { value: { type: "plain_text_input", value: form.title } },
    severity: { value: { type: "static_select", selected_option: form.severity ? { value: form.severity, text: { type: "plain_text", text: form.severity } } : null } },
    impact: { value: { type: "plain_text_input", value: form.impact ?? null } },
    detection: { value: { type: "plain_text_input", value: form.detection ?? null } },
    commander: { value: { type: "users_select", selected_user: form.commander ?? user.id } },
    private: { value: { type: "checkboxes", selected_options: form.private ? [{ value: "private", text: { type: "plain_text", text: "Private" } }] : [] } },
  };
  const submission = {
    type: "view_submission",
    team: { id: h.fake.ws.teamId, domain: h.fake.ws.teamDomain },
    user: { id: user.id, username: user.name, name: user.name, team_id: h.fake.ws.teamId },
    api_app_id: h.fake.ws.appId,
    token: "verification_token",
    trigger_id: h.fake.ws.newTrigger(user.id),
    view: { ...view, id: opts.viewId ?? view.id, state: { values } },
    response_urls: [],
  };
  const res = await h.slack.interaction(submission);
  return { cmd, view, res, submission };
}

/** A message's text and blocks as one string, for "does it say…" checks. */
export function flat(m: { text: string; blocks?: unknown[] }): string {
  return `${m.text}${JSON.stringify(m.blocks ?? [])}`;
}

/** Waits until the incident channel has a message saying `needle` (in its text or blocks). */
export function says(inc: DeclaredIncident, needle: string, timeoutMs = 8000): Promise<FakeMessage> {
  return until(() => inc.channel.messages.find((m) => flat(m).includes(needle)), timeoutMs, `the channel to say ${needle}`);
}

/** Second-scale cadences, so reminders can be watched in a test. */
export const FAST_SEVERITIES = `
severities:
  - { id: SEV1, label: Critical, description: Everything is down, cadence: PT2S, requires_ic: true, expects_comms_lead: true, postmortem_required: true }
  - { id: SEV2, label: High, description: Major degradation, cadence: PT2S, requires_ic: true, expects_comms_lead: false, postmortem_required: true }
  - { id: SEV3, label: Medium, description: Partial degradation, cadence: PT3S }
`;

/** The incident channel's canvas (the postmortem), once it exists. */
export function canvasOf(h: Harness, inc: DeclaredIncident) {
  return until(() => (inc.channel.canvasId ? h.fake.ws.canvases.get(inc.channel.canvasId) : undefined), 8000, "the postmortem canvas");
}

/** The incident's checklist message as it is now in its channel (the latest one posted). */
export function checklistOf(inc: DeclaredIncident): FakeMessage | undefined {
  return inc.channel.messages.filter((m) => m.text.startsWith("Incident Response Checklist for")).at(-1);
}

type CheckboxSection = { type: string; block_id: string; accessory: { action_id: string; options: { value: string; text: { text: string } }[]; initial_options?: { value: string }[] } };

/**
 * Ticks (or unticks) one checklist item by its text, as a person would in the message as it is now:
 * the click carries the section's new selection and the message the clicker saw.
 */
export async function clickChecklist(h: Harness, inc: DeclaredIncident, itemText: string, user: FakeUser, seen?: FakeMessage) {
  const message = seen ?? checklistOf(inc);
  if (!message) throw new Error("no checklist message");
  const section = (message.blocks as CheckboxSection[]).find((b) => b.type === "section" && b.accessory?.options?.some((o) => o.text.text.includes(itemText)));
  if (!section) throw new Error(`no checklist item "${itemText}"`);
  const option = section.accessory.options.find((o) => o.text.text.includes(itemText)) as { value: string; text: { text: string } };
  const before = section.accessory.initial_options ?? [];
  const on = before.some((o) => o.value === option.value);
  const selected = on ? before.filter((o) => o.value !== option.value) : [...before, option];
  const responseUrl = h.fake.responseUrl();
  const payload = blockActionPayload(h, user, inc.channel, message, responseUrl, { type: "checkboxes", action_id: section.accessory.action_id, block_id: section.block_id, selected_options: selected });
  const res = await h.slack.interaction(payload);
  return { res, responseUrl, payload };
}

/** Presses the export button (*Create in GitHub / Jira / Linear*) of action item `number` in its channel echo, as `user`. */
export async function pressExport(h: Harness, inc: DeclaredIncident, number: number, user: FakeUser = h.users.alice) {
  const echo = await says(inc, `Action item #${number} for the`);
  return clickButton(h, inc.channel, echo, "warroom.action_item_export", user);
}
