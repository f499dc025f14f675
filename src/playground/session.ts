// What a person does in the playground, delivered to the bot as Slack delivers it: a slash command
// (signed, with a trigger_id and a response_url), a message, a pin or a :pushpin: reaction (Events API,
// for the events the manifest subscribes to), the message shortcut, a click or a choice (block_actions),
// a modal submitted or closed (view_submission / view_closed, and what its answer asks: errors, update,
// push, clear), the App Home opened. Answers through a response_url and the bot's own HTTP answers land
// where Slack shows them: ephemeral messages, replaced or deleted originals, messages in the channel.

import type { SentRequest, SlackRequests } from "../local-slack/deliver.ts";
import type { FakeSlack } from "../local-slack/server.ts";
import { checkView } from "../local-slack/block-kit.ts";
import { type FakeConversation, type FakeMessage, type FakeUser, type FakeView, messageObject, type WorkspaceSnapshot } from "../local-slack/workspace.ts";
import { actionOf, type RawValues, viewState } from "./state.ts";
import { encode, team, viewPayload, who } from "./payloads.ts";
import { deliver, Responses } from "./responses.ts";
import { SavedWorkspace } from "./saving.ts";

type Json = Record<string, unknown>;

/** Where a click happened. */
export type Surface = { kind: "message"; channel: string; ts: string } | { kind: "ephemeral"; channel: string; ts: string } | { kind: "modal"; viewId: string } | { kind: "home" };

export interface Outcome {
  ok: boolean;
  /** What went wrong, in the words Slack's client would use. */
  error?: string;
  /** A modal submission's field errors, by block_id. */
  errors?: Record<string, string>;
}

/** Events the app's manifest subscribes to (manifest.yml, settings.event_subscriptions.bot_events). */
const SUBSCRIBED = new Set(["app_home_opened", "pin_added", "reaction_added"]);

export class Session {
  /** Field errors of a view, shown until it changes or closes. */
  readonly viewErrors = new Map<string, Record<string, string>>();
  private listeners = new Set<() => void>();
  private readonly saving: SavedWorkspace;
  private readonly responses: Responses;
  version = 0;

  constructor(
    readonly fake: FakeSlack,
    readonly bot: SlackRequests,
    statePath?: string,
  ) {
    this.saving = new SavedWorkspace(statePath, () => this.ws.snapshot());
    this.responses = new Responses(fake, () => this.changed());
    fake.onCall((call) => {
      if (call.status === 200 && call.response.ok === true && !READ_ONLY.has(call.method)) this.changed();
    });
    fake.onResponse((post) => this.responses.onResponse(post));
  }

  get ws() {
    return this.fake.ws;
  }

  // ---------- change notification and saving ----------

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  changed(): void {
    this.version += 1;
    for (const l of this.listeners) l();
    this.saving.changed();
  }

  /** Writes the workspace to its file, when it changed (or always, forced). */
  save(force = false): void {
    this.saving.save(force);
  }

  static load(statePath: string): WorkspaceSnapshot | undefined {
    return SavedWorkspace.load(statePath);
  }


  // ---------- people ----------

  people(): FakeUser[] {
    return [...this.ws.users.values()].filter((u) => !u.isBot && !u.deleted);
  }

  addPerson(name: string): FakeUser {
    const handle = name.trim().toLowerCase().replace(/[^a-z0-9._-]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 40);
    if (handle === "") throw new Error("a name needs a letter or a digit");
    const taken = this.people().find((u) => u.name === handle);
    if (taken) return taken;
    const user = this.ws.addUser(handle, { realName: name.trim().slice(0, 80) });
    for (const c of this.ws.conversations.values()) if (c.name === "general") c.members.add(user.id);
    this.changed();
    return user;
  }

  private person(id: string): FakeUser {
    const u = this.ws.users.get(id);
    if (!u || u.isBot) throw new Error(`no person ${id}`);
    return u;
  }

  private channel(id: string): FakeConversation {
    const c = this.ws.conversations.get(id);
    if (!c) throw new Error(`no channel ${id}`);
    return c;
  }

  private messageIn(c: FakeConversation, ts: string): FakeMessage {
    const m = this.ws.message(c.id, ts);
    if (!m) throw new Error(`no message ${ts} in #${c.name}`);
    return m;
  }

  // ---------- what people do ----------

  /** A slash command typed in a channel: Slack's POST to the Request URL, answered within 3 s. */
  async command(as: string, channelId: string, line: string): Promise<Outcome> {
    const user = this.person(as);
    const c = this.channel(channelId);
    const m = /^(\/\S+)\s*([\s\S]*)$/.exec(line.trim());
    if (!m) return { ok: false, error: "A command starts with a slash, such as /incident help." };
    const [, command = "", text = ""] = m;
    if (command !== "/incident") return { ok: false, error: `${command} is not a valid command. In the playground, the app's command is /incident.` };
    this.join(c, user.id);
    // one context for the command and its response_url: a later replace_original replaces the ack's message
    const where = { channel: c.id, user: user.id };
    const responseUrl = this.responses.urlFor(where);
    const sent = await deliver(() => this.bot.command(this.encode(text, true), { user: user.id, channel: c.id, responseUrl }));
    if (!sent.ok) {
      this.ephemeral(c.id, user.id, `${command} failed with the error "${sent.error}"`);
      return { ok: false, error: sent.error };
    }
    this.responses.answered(sent.res, where);
    return { ok: true };
  }

  /** A plain message (the manifest subscribes to no message events: the bot is not told). */
  message(as: string, channelId: string, text: string): Outcome {
    const user = this.person(as);
    const c = this.channel(channelId);
    if (c.isArchived) return { ok: false, error: "This channel has been archived." };
    this.join(c, user.id);
    this.ws.addMessage(c.id, user.id, this.encode(text));
    this.changed();
    return { ok: true };
  }

  /** Pins a message (Slack's pin_added event). */
  async pin(as: string, channelId: string, ts: string): Promise<Outcome> {
    const user = this.person(as);
    const c = this.channel(channelId);
    const m = this.messageIn(c, ts);
    if (c.pins.has(ts)) {
      c.pins.delete(ts);
      this.changed();
      return { ok: true };
    }
    c.pins.add(ts);
    this.changed();
    return this.event(c, {
      type: "pin_added",
      user: user.id,
      channel_id: c.id,
      item: { type: "message", channel: c.id, created: Math.floor(Date.now() / 1000), created_by: user.id, message: messageObject(m) },
      item_user: m.user,
      pin_count: c.pins.size,
      event_ts: this.ws.nextTs(),
    });
  }

  /** Adds a reaction (Slack's reaction_added event; a second click takes it away). */
  async react(as: string, channelId: string, ts: string, name: string): Promise<Outcome> {
    const user = this.person(as);
    const c = this.channel(channelId);
    const m = this.messageIn(c, ts);
    const reacted = m.reactions.get(name) ?? new Set<string>();
    if (reacted.has(user.id)) {
      reacted.delete(user.id);
      if (reacted.size === 0) m.reactions.delete(name);
      this.changed();
      return { ok: true };
    }
    reacted.add(user.id);
    m.reactions.set(name, reacted);
    this.changed();
    return this.event(c, { type: "reaction_added", user: user.id, reaction: name, item_user: m.user, item: { type: "message", channel: c.id, ts: m.ts }, event_ts: this.ws.nextTs() });
  }

  /** The message shortcut ("Add to incident timeline"): a message_action payload. */
  async shortcut(as: string, channelId: string, ts: string, callbackId: string): Promise<Outcome> {
    const user = this.person(as);
    const c = this.channel(channelId);
    const m = this.messageIn(c, ts);
    const responseUrl = this.responses.urlFor({ channel: c.id, user: user.id });
    const sent = await deliver(() =>
      this.bot.interaction({
        type: "message_action",
        token: "verification_token",
        action_ts: (Date.now() / 1000).toFixed(6),
        team: team(this.ws),
        user: who(this.ws, user),
        channel: { id: c.id, name: c.name },
        callback_id: callbackId,
        trigger_id: this.ws.newTrigger(user.id),
        message_ts: m.ts,
        message: messageObject(m),
        response_url: responseUrl,
      }),
    );
    return this.delivered(sent, c.id, user.id);
  }

  /** A click or a choice on a message, an ephemeral message, a modal or the App Home. */
  async action(as: string, surface: Surface, loc: string, raw: string | readonly string[] | undefined, values: RawValues = {}): Promise<Outcome> {
    const user = this.person(as);
    const common = {
      type: "block_actions",
      user: who(this.ws, user),
      api_app_id: this.ws.appId,
      token: "verification_token",
      team: team(this.ws),
      trigger_id: this.ws.newTrigger(user.id),
    };
    let payload: Json;
    let where: { channel: string; user: string } | undefined;
    if (surface.kind === "message" || surface.kind === "ephemeral") {
      const c = this.channel(surface.channel);
      const eph = surface.kind === "ephemeral" ? this.ws.ephemerals.find((e) => e.ts === surface.ts && e.user === user.id) : undefined;
      const m = surface.kind === "message" ? this.messageIn(c, surface.ts) : undefined;
      const blockList = m?.blocks ?? eph?.blocks;
      if (!m && !eph) throw new Error("that message is gone");
      const action = actionOf(blockList, loc, raw);
      if (!action) throw new Error(`no element at ${loc}`);
      where = { channel: c.id, user: user.id };
      payload = {
        ...common,
        container: { type: "message", message_ts: surface.ts, channel_id: c.id, is_ephemeral: surface.kind === "ephemeral" },
        channel: { id: c.id, name: c.name },
        ...(m ? { message: messageObject(m) } : {}),
        state: { values: viewState(blockList, { [loc]: raw ?? "" }) },
        response_url: this.responses.urlFor({ ...where, original: { kind: surface.kind, ts: surface.ts } }),
        actions: [action],
      };
    } else {
      const view = surface.kind === "home" ? this.ws.homeViews.get(user.id) : this.ws.views.get(surface.viewId);
      if (!view) throw new Error("that view is gone");
      const blockList = view.view.blocks;
      const action = actionOf(blockList, loc, raw);
      if (!action) throw new Error(`no element at ${loc}`);
      payload = { ...common, container: { type: "view", view_id: view.id }, view: viewPayload(this.ws, view, { ...values, [loc]: raw ?? "" }), actions: [action] };
    }
    const sent = await deliver(() => this.bot.interaction(payload));
    if (!sent.ok) {
      if (where) this.ephemeral(where.channel, where.user, `:warning: That did not reach the app: ${sent.error}.`);
      return { ok: false, error: sent.error };
    }
    if (sent.res.status !== 200) return { ok: false, error: `the app answered ${sent.res.status}` };
    return { ok: true };
  }

  /** The modal's submit button: view_submission, and what the app's answer asks. */
  async submit(as: string, viewId: string, values: RawValues): Promise<Outcome> {
    const user = this.person(as);
    const view = this.ws.views.get(viewId);
    if (!view || this.ws.topModal(user.id)?.id !== viewId) return { ok: false, error: "That form is no longer open." };
    const sent = await deliver(() =>
      this.bot.interaction({
        type: "view_submission",
        team: team(this.ws),
        user: who(this.ws, user),
        api_app_id: this.ws.appId,
        token: "verification_token",
        trigger_id: this.ws.newTrigger(user.id),
        view: viewPayload(this.ws, view, values),
        response_urls: [],
      }),
    );
    if (!sent.ok || sent.res.status !== 200) return { ok: false, error: "We had some trouble connecting. Try again?" };
    const answer = sent.res.json ?? {};
    // a view in the answer is checked as views.update and views.push check theirs (Slack shows its generic error)
    if (answer.response_action === "update" || answer.response_action === "push") {
      const problem = checkView(answer.view);
      if (problem) return { ok: false, error: `The app answered with a view Slack would refuse (${problem}).` };
    }
    switch (answer.response_action) {
      case "errors": {
        const errors = Object.fromEntries(Object.entries((answer.errors as Record<string, unknown>) ?? {}).map(([k, v]) => [k, String(v)]));
        this.viewErrors.set(viewId, errors);
        this.changed();
        return { ok: false, errors };
      }
      case "update":
        this.ws.updateView(view, answer.view as Json);
        break;
      case "push":
        if (!this.ws.pushModal(user.id, answer.view as Json)) return { ok: false, error: "The app asked for a fourth form on top of this one; Slack allows three." };
        break;
      case "clear":
        this.forget(this.ws.closeModal(user.id, true));
        break;
      default:
        this.forget(this.ws.closeModal(user.id));
    }
    this.viewErrors.delete(viewId);
    this.changed();
    return { ok: true };
  }

  /** Cancel (the top modal) or × (all of them): view_closed for views that asked for it. */
  async close(as: string, viewId: string, all: boolean): Promise<Outcome> {
    const user = this.person(as);
    if (this.ws.topModal(user.id)?.id !== viewId) return { ok: true };
    const closed = this.ws.closeModal(user.id, all);
    this.forget(closed);
    this.changed();
    const notify = closed.filter((v) => v.view.notify_on_close === true);
    for (const v of notify) {
      await deliver(() =>
        this.bot.interaction({
          type: "view_closed",
          team: team(this.ws),
          user: who(this.ws, user),
          api_app_id: this.ws.appId,
          token: "verification_token",
          view: viewPayload(this.ws, v, {}),
          is_cleared: all,
        }),
      );
    }
    return { ok: true };
  }

  /** The person opens the app's Home tab: app_home_opened. */
  async openHome(as: string): Promise<Outcome> {
    const user = this.person(as);
    const dm = this.ws.imWith(user.id);
    const home = this.ws.homeViews.get(user.id);
    const sent = await deliver(() =>
      this.bot.event({ type: "app_home_opened", user: user.id, channel: dm.id, tab: "home", event_ts: this.ws.nextTs(), ...(home ? { view: viewPayload(this.ws, home, {}) } : {}) }),
    );
    return this.delivered(sent, undefined, user.id);
  }

  // ---------- plumbing ----------

  /** Text a person types, as Slack's client sends it (payloads.ts). */
  encode(text: string, forCommand = false): string {
    return encode(this.ws, text, forCommand);
  }

  private join(c: FakeConversation, user: string): void {
    if (!c.isIm && !c.members.has(user)) c.members.add(user);
  }

  /** Closed modals are gone in Slack too (views.update on one answers not_found). */
  private forget(closed: FakeView[]): void {
    for (const v of closed) {
      this.viewErrors.delete(v.id);
      this.ws.views.delete(v.id);
    }
  }

  private delivered(sent: { ok: true; res: SentRequest } | { ok: false; error: string }, channel: string | undefined, user: string): Outcome {
    if (!sent.ok) {
      if (channel) this.ephemeral(channel, user, `:warning: That did not reach the app: ${sent.error}.`);
      return { ok: false, error: sent.error };
    }
    return { ok: true };
  }

  private async event(c: FakeConversation, event: Json): Promise<Outcome> {
    // Slack tells an app about pins and reactions in channels it is in
    if (!SUBSCRIBED.has(String(event.type)) || !c.members.has(this.ws.botUserId)) return { ok: true };
    const sent = await deliver(() => this.bot.event(event));
    return this.delivered(sent, c.id, String(event.user));
  }

  ephemeral(channel: string, user: string, text: string, blocks?: unknown[]): void {
    this.responses.ephemeral(channel, user, text, blocks);
  }

  dismiss(as: string, ts: string): void {
    this.ws.dropEphemeral(ts, as);
    this.changed();
  }
}

/** Methods that change nothing the page shows. */
const READ_ONLY = new Set(["auth.test", "team.info", "users.info", "conversations.info", "conversations.list", "conversations.history", "conversations.replies", "conversations.members", "chat.getPermalink", "usergroups.users.list"]);
