// What a person does in the playground, delivered to the bot as Slack delivers it: a slash command
// (signed, with a trigger_id and a response_url), a message, a pin or a :pushpin: reaction (Events API,
// for the events the manifest subscribes to), the message shortcut, a click or a choice (block_actions),
// a modal submitted or closed (view_submission / view_closed, and what its answer asks: errors, update,
// push, clear), the App Home opened. Answers through a response_url and the bot's own HTTP answers land
// where Slack shows them: ephemeral messages, replaced or deleted originals, messages in the channel.

import fs from "node:fs";
import path from "node:path";
import type { SentRequest, SlackRequests } from "../local-slack/deliver.ts";
import type { FakeSlack, ResponseUrlPost } from "../local-slack/server.ts";
import { checkView } from "../local-slack/block-kit.ts";
import { type FakeConversation, type FakeMessage, type FakeUser, type FakeView, messageObject, type WorkspaceSnapshot } from "../local-slack/workspace.ts";
import { actionOf, type RawValues, viewState } from "./state.ts";

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

interface ResponseContext {
  channel: string;
  user: string;
  original?: { kind: "message" | "ephemeral"; ts: string };
}

/** Events the app's manifest subscribes to (manifest.yml, settings.event_subscriptions.bot_events). */
const SUBSCRIBED = new Set(["app_home_opened", "pin_added", "reaction_added"]);

export class Session {
  private readonly contexts = new Map<string, ResponseContext>();
  /** Field errors of a view, shown until it changes or closes. */
  readonly viewErrors = new Map<string, Record<string, string>>();
  private listeners = new Set<() => void>();
  private saveTimer: NodeJS.Timeout | undefined;
  /** Changed since the file was last written. */
  private dirty = false;
  version = 0;

  constructor(
    readonly fake: FakeSlack,
    readonly bot: SlackRequests,
    private readonly statePath?: string,
  ) {
    fake.onCall((call) => {
      if (call.status === 200 && call.response.ok === true && !READ_ONLY.has(call.method)) this.changed();
    });
    fake.onResponse((post) => this.onResponse(post));
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
    this.dirty = true;
    for (const l of this.listeners) l();
    if (this.statePath && !this.saveTimer) this.saveTimer = setTimeout(() => this.save(), 300);
  }

  /** Writes the workspace to its file (atomically: a new file renamed over the old), when it changed. */
  save(force = false): void {
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    if (!this.statePath || !(this.dirty || force)) return;
    this.dirty = false;
    const tmp = `${this.statePath}.tmp`;
    fs.mkdirSync(path.dirname(this.statePath), { recursive: true });
    fs.writeFileSync(tmp, JSON.stringify(this.ws.snapshot()));
    fs.renameSync(tmp, this.statePath);
  }

  static load(statePath: string): WorkspaceSnapshot | undefined {
    let text: string;
    try {
      text = fs.readFileSync(statePath, "utf8");
    } catch {
      return undefined;
    }
    const saved = JSON.parse(text) as WorkspaceSnapshot;
    if (saved.version !== 1) throw new Error(`${statePath} is not a playground workspace this version can read`);
    return saved;
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
    const responseUrl = this.responseUrl({ channel: c.id, user: user.id });
    const sent = await this.deliver(() => this.bot.command(this.encode(text, true), { user: user.id, channel: c.id, responseUrl }));
    if (!sent.ok) {
      this.ephemeral(c.id, user.id, `${command} failed with the error "${sent.error}"`);
      return { ok: false, error: sent.error };
    }
    this.answered(sent.res, { channel: c.id, user: user.id });
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
    const who = m.reactions.get(name) ?? new Set<string>();
    if (who.has(user.id)) {
      who.delete(user.id);
      if (who.size === 0) m.reactions.delete(name);
      this.changed();
      return { ok: true };
    }
    who.add(user.id);
    m.reactions.set(name, who);
    this.changed();
    return this.event(c, { type: "reaction_added", user: user.id, reaction: name, item_user: m.user, item: { type: "message", channel: c.id, ts: m.ts }, event_ts: this.ws.nextTs() });
  }

  /** The message shortcut ("Add to incident timeline"): a message_action payload. */
  async shortcut(as: string, channelId: string, ts: string, callbackId: string): Promise<Outcome> {
    const user = this.person(as);
    const c = this.channel(channelId);
    const m = this.messageIn(c, ts);
    const responseUrl = this.responseUrl({ channel: c.id, user: user.id });
    const sent = await this.deliver(() =>
      this.bot.interaction({
        type: "message_action",
        token: "verification_token",
        action_ts: (Date.now() / 1000).toFixed(6),
        team: this.team(),
        user: this.who(user),
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
      user: this.who(user),
      api_app_id: this.ws.appId,
      token: "verification_token",
      team: this.team(),
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
        response_url: this.responseUrl({ ...where, original: { kind: surface.kind, ts: surface.ts } }),
        actions: [action],
      };
    } else {
      const view = surface.kind === "home" ? this.ws.homeViews.get(user.id) : this.ws.views.get(surface.viewId);
      if (!view) throw new Error("that view is gone");
      const blockList = view.view.blocks;
      const action = actionOf(blockList, loc, raw);
      if (!action) throw new Error(`no element at ${loc}`);
      payload = { ...common, container: { type: "view", view_id: view.id }, view: this.viewPayload(view, { ...values, [loc]: raw ?? "" }), actions: [action] };
    }
    const sent = await this.deliver(() => this.bot.interaction(payload));
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
    const sent = await this.deliver(() =>
      this.bot.interaction({
        type: "view_submission",
        team: this.team(),
        user: this.who(user),
        api_app_id: this.ws.appId,
        token: "verification_token",
        trigger_id: this.ws.newTrigger(user.id),
        view: this.viewPayload(view, values),
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
      await this.deliver(() =>
        this.bot.interaction({
          type: "view_closed",
          team: this.team(),
          user: this.who(user),
          api_app_id: this.ws.appId,
          token: "verification_token",
          view: this.viewPayload(v, {}),
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
    const sent = await this.deliver(() =>
      this.bot.event({ type: "app_home_opened", user: user.id, channel: dm.id, tab: "home", event_ts: this.ws.nextTs(), ...(home ? { view: this.viewPayload(home, {}) } : {}) }),
    );
    return this.delivered(sent, undefined, user.id);
  }

  // ---------- plumbing ----------

  /** The person, as interaction payloads name them. */
  private who(user: FakeUser): Json {
    return { id: user.id, username: user.name, name: user.name, team_id: this.ws.teamId };
  }

  private team(): Json {
    return { id: this.ws.teamId, domain: this.ws.teamDomain };
  }

  /** Text a person types, as Slack's client sends it: &, < and > escaped; @name and #channel as links. */
  encode(text: string, forCommand = false): string {
    const escaped = text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
    return escaped
      .replace(/(^|\s)@([a-z0-9._-]+)/g, (whole, before: string, name: string) => {
        const u = [...this.ws.users.values()].find((x) => x.name === name);
        return u ? `${before}<@${u.id}${forCommand ? `|${name}` : ""}>` : whole;
      })
      .replace(/(^|\s)#([a-z0-9_-]+)/g, (whole, before: string, name: string) => {
        const c = this.ws.channelByName(name);
        return c ? `${before}<#${c.id}|${name}>` : whole;
      });
  }

  private join(c: FakeConversation, user: string): void {
    if (!c.isIm && !c.members.has(user)) c.members.add(user);
  }

  private viewPayload(v: FakeView, values: RawValues): Json {
    return {
      ...v.view,
      id: v.id,
      team_id: this.ws.teamId,
      app_id: this.ws.appId,
      bot_id: this.ws.botId,
      hash: v.hash,
      root_view_id: v.rootId,
      previous_view_id: v.previousId ?? null,
      app_installed_team_id: this.ws.teamId,
      private_metadata: v.view.private_metadata ?? "",
      callback_id: v.view.callback_id ?? "",
      external_id: v.view.external_id ?? "",
      state: { values: viewState(v.view.blocks, values) },
    };
  }

  /** Closed modals are gone in Slack too (views.update on one answers not_found). */
  private forget(closed: FakeView[]): void {
    for (const v of closed) {
      this.viewErrors.delete(v.id);
      this.ws.views.delete(v.id);
    }
  }

  private responseUrl(ctx: ResponseContext): string {
    const url = this.fake.responseUrl();
    this.contexts.set(url.split("/").pop() as string, ctx);
    // Slack's response_urls last 30 minutes
    if (this.contexts.size > 5000) this.contexts.delete(this.contexts.keys().next().value as string);
    return url;
  }

  private async deliver(send: () => Promise<SentRequest>): Promise<{ ok: true; res: SentRequest } | { ok: false; error: string }> {
    try {
      const res = await send();
      if (res.status >= 500) return { ok: false, error: "dispatch_failed" };
      return { ok: true, res };
    } catch (err) {
      const name = (err as Error).name;
      return { ok: false, error: name === "TimeoutError" || name === "AbortError" ? "operation_timeout" : "dispatch_failed" };
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
    const sent = await this.deliver(() => this.bot.event(event));
    return this.delivered(sent, c.id, String(event.user));
  }

  /** The app's HTTP answer to a command: a message in its body shows as Slack shows it. */
  private answered(res: SentRequest, ctx: ResponseContext): void {
    if (res.status !== 200) {
      this.ephemeral(ctx.channel, ctx.user, `/incident failed with the error "${res.status === 401 ? "invalid_signature" : "dispatch_failed"}"`);
      return;
    }
    if (res.json && (typeof res.json.text === "string" || Array.isArray(res.json.blocks))) this.respond(res.json, ctx);
  }

  private onResponse(post: ResponseUrlPost): void {
    const ctx = this.contexts.get(post.id);
    if (ctx) this.respond(post.body, ctx);
  }

  /** A response_url post, as Slack acts on it. */
  private respond(body: Json, ctx: ResponseContext): void {
    const text = typeof body.text === "string" ? body.text : "";
    const blocks = Array.isArray(body.blocks) ? (body.blocks as unknown[]) : undefined;
    const original = ctx.original;
    if (body.delete_original === true && original) {
      if (original.kind === "ephemeral") this.ws.dropEphemeral(original.ts);
      else {
        const c = this.ws.conversations.get(ctx.channel);
        if (c) c.messages = c.messages.filter((m) => m.ts !== original.ts);
      }
    } else if ((body.replace_original === true || body.replace_original === "true") && original) {
      if (original.kind === "ephemeral") {
        const e = this.ws.ephemerals.find((x) => x.ts === original.ts);
        if (e) Object.assign(e, { text, blocks });
      } else {
        const m = this.ws.message(ctx.channel, original.ts);
        if (m) Object.assign(m, { text, blocks, edited: true });
      }
    } else if (body.response_type === "in_channel") {
      if (this.ws.conversations.has(ctx.channel)) this.ws.addAppMessage(ctx.channel, text, { blocks });
    } else {
      this.ephemeral(ctx.channel, ctx.user, text, blocks);
    }
    this.changed();
  }

  ephemeral(channel: string, user: string, text: string, blocks?: unknown[]): void {
    this.ws.addEphemeral(channel, user, text, blocks);
    this.changed();
  }

  dismiss(as: string, ts: string): void {
    this.ws.dropEphemeral(ts, as);
    this.changed();
  }
}

/** Methods that change nothing the page shows. */
const READ_ONLY = new Set(["auth.test", "team.info", "users.info", "conversations.info", "conversations.list", "conversations.history", "conversations.members", "chat.getPermalink", "usergroups.users.list"]);
