// Fake Slack Web API: conversations.*, pins.*, bookmarks.*, reactions.*, users.*, team/auth.

import { type FakeConversation, messageObject, newId, type Workspace } from "./workspace.ts";

export class SlackFail extends Error {
  constructor(
    readonly error: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(error);
  }
}

export type Args = Record<string, unknown>;
export type Handler = (ws: Workspace, args: Args) => Record<string, unknown>;

export function str(args: Args, key: string): string | undefined {
  const v = args[key];
  if (v === undefined || v === null || v === "") return undefined;
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return JSON.stringify(v);
}

export function need(args: Args, key: string, error = "invalid_arguments"): string {
  const v = str(args, key);
  if (v === undefined) throw new SlackFail(error, { response_metadata: { messages: [`[ERROR] missing required field: ${key}`] } });
  return v;
}

export function bool(args: Args, key: string): boolean {
  const v = args[key];
  return v === true || v === "true" || v === "1" || v === 1;
}

/** A channel the bot can use: exists, and the bot is a member (or it is the bot's DM). */
export function conversation(ws: Workspace, id: string | undefined, opts: { member?: boolean; writable?: boolean; byName?: boolean } = {}): FakeConversation {
  if (id === undefined) throw new SlackFail("channel_not_found");
  // posting to a user id posts in the app's DM with that user; chat.postMessage also takes a name
  const c = /^[UW]/.test(id) && ws.users.has(id) ? ws.imWith(id) : (ws.conversations.get(id) ?? (opts.byName ? ws.channelByName(id.replace(/^#/, "")) : undefined));
  if (!c) throw new SlackFail("channel_not_found");
  // private channels the bot is not in are invisible to it
  if (c.isPrivate && !c.isIm && !c.members.has(ws.botUserId)) throw new SlackFail("channel_not_found");
  if (opts.writable && c.isArchived) throw new SlackFail("is_archived");
  if (opts.member && !c.members.has(ws.botUserId)) throw new SlackFail("not_in_channel");
  return c;
}

export function channelObject(ws: Workspace, c: FakeConversation): Record<string, unknown> {
  return {
    id: c.id,
    name: c.name,
    is_channel: !c.isPrivate && !c.isIm,
    is_group: c.isPrivate && !c.isIm,
    is_im: c.isIm,
    is_private: c.isPrivate,
    is_archived: c.isArchived,
    is_general: false,
    created: c.created,
    creator: c.creator,
    is_member: c.members.has(ws.botUserId),
    name_normalized: c.name,
    topic: { value: c.topic, creator: "", last_set: 0 },
    purpose: { value: c.purpose, creator: "", last_set: 0 },
    previous_names: [],
    num_members: c.members.size,
    properties: c.canvasId ? { canvas: { file_id: c.canvasId, is_empty: false } } : {},
  };
}

function validateName(ws: Workspace, name: string | undefined): string {
  if (name === undefined) throw new SlackFail("invalid_name_required");
  if (name.length > 80) throw new SlackFail("invalid_name_maxlength");
  if (/[A-Z]/.test(name) || /[^a-z0-9_-]/.test(name)) throw new SlackFail("invalid_name_specials");
  if (!/[a-z0-9]/.test(name)) throw new SlackFail("invalid_name_punctuation");
  // names of archived channels stay taken
  if (ws.channelByName(name)) throw new SlackFail("name_taken");
  return name;
}

function userObject(u: { id: string; name: string; realName: string; isBot: boolean; deleted: boolean; tz: string; email?: string }, teamId: string) {
  return {
    id: u.id,
    team_id: teamId,
    name: u.name,
    real_name: u.realName,
    deleted: u.deleted,
    is_bot: u.isBot,
    tz: u.tz,
    profile: { real_name: u.realName, display_name: u.name, display_name_normalized: u.name, ...(u.email ? { email: u.email } : {}) },
  };
}

export const conversationMethods: Record<string, Handler> = {
  "auth.test": (ws) => ({
    url: `https://${ws.teamDomain}.slack.com/`,
    team: ws.teamName,
    user: "warroom",
    team_id: ws.teamId,
    user_id: ws.botUserId,
    bot_id: ws.botId,
    is_enterprise_install: false,
  }),

  "team.info": (ws) => ({ team: { id: ws.teamId, name: ws.teamName, domain: ws.teamDomain } }),

  // a group's members; disabled groups answer as Slack does for them (no_such_subteam unless asked)
  "usergroups.users.list": (ws, args) => {
    const group = ws.userGroups.get(need(args, "usergroup", "no_such_subteam"));
    if (!group || (!group.enabled && !bool(args, "include_disabled"))) throw new SlackFail("no_such_subteam");
    return { users: group.users.filter((u) => !ws.users.get(u)?.deleted) };
  },

  "users.info": (ws, args) => {
    const u = ws.users.get(need(args, "user", "user_not_found"));
    if (!u) throw new SlackFail("user_not_found");
    return { user: userObject(u, ws.teamId) };
  },

  "conversations.create": (ws, args) => {
    const name = validateName(ws, str(args, "name"));
    const c = ws.addChannel(name, { isPrivate: bool(args, "is_private"), members: [ws.botUserId] });
    return { channel: channelObject(ws, c) };
  },

  "conversations.info": (ws, args) => ({ channel: channelObject(ws, conversation(ws, str(args, "channel"))) }),

  "conversations.list": (ws, args) => {
    const types = (str(args, "types") ?? "public_channel").split(",");
    const excludeArchived = bool(args, "exclude_archived");
    const limit = Math.min(Number(str(args, "limit") ?? 100), 1000);
    const all = [...ws.conversations.values()].filter(
      (c) =>
        !c.isIm &&
        (c.isPrivate ? types.includes("private_channel") && c.members.has(ws.botUserId) : types.includes("public_channel")) &&
        !(excludeArchived && c.isArchived),
    );
    const start = Number(str(args, "cursor") ?? 0);
    const page = all.slice(start, start + limit);
    const next = start + limit < all.length ? String(start + limit) : "";
    return { channels: page.map((c) => channelObject(ws, c)), response_metadata: { next_cursor: next } };
  },

  "conversations.invite": (ws, args) => {
    const c = conversation(ws, str(args, "channel"), { member: true, writable: true });
    const users = need(args, "users", "no_user").split(",").map((u) => u.trim()).filter(Boolean);
    if (users.length > 100) throw new SlackFail("too_many_users");
    const errors: Record<string, unknown>[] = [];
    for (const id of users) {
      if (id === ws.botUserId) errors.push({ user: id, ok: false, error: "cant_invite_self" });
      else if (!ws.users.has(id) || ws.users.get(id)?.deleted) errors.push({ user: id, ok: false, error: "user_not_found" });
      else if (c.members.has(id)) errors.push({ user: id, ok: false, error: "already_in_channel" });
      else if (ws.users.get(id)?.restricted) errors.push({ user: id, ok: false, error: "user_is_restricted" });
    }
    const fatal = errors.find((e) => e.error !== "already_in_channel");
    if (errors.length > 0 && !bool(args, "force") && (fatal || errors.length === users.length)) {
      throw new SlackFail(String((fatal ?? errors[0])?.error), { errors });
    }
    const refused = new Set(errors.map((e) => e.user));
    for (const id of users) if (ws.users.has(id) && !refused.has(id)) c.members.add(id);
    return { channel: channelObject(ws, c), ...(errors.length > 0 ? { errors } : {}) };
  },

  "conversations.setTopic": (ws, args) => {
    const c = conversation(ws, str(args, "channel"), { member: true, writable: true });
    const topic = str(args, "topic") ?? "";
    if (topic.length > 250) throw new SlackFail("too_long");
    c.topic = topic;
    return { channel: channelObject(ws, c) };
  },

  "conversations.setPurpose": (ws, args) => {
    const c = conversation(ws, str(args, "channel"), { member: true, writable: true });
    const purpose = str(args, "purpose") ?? "";
    if (purpose.length > 250) throw new SlackFail("too_long");
    c.purpose = purpose;
    return { channel: channelObject(ws, c) };
  },

  "conversations.archive": (ws, args) => {
    const c = conversation(ws, str(args, "channel"), { member: true });
    if (c.isArchived) throw new SlackFail("already_archived");
    c.isArchived = true;
    return {};
  },

  "conversations.open": (ws, args) => {
    const users = (str(args, "users") ?? "").split(",").filter(Boolean);
    if (users.length !== 1) throw new SlackFail(users.length === 0 ? "users_list_not_supplied" : "not_implemented");
    if (!ws.users.has(users[0] as string)) throw new SlackFail("user_not_found");
    return { channel: { id: ws.imWith(users[0] as string).id } };
  },

  "conversations.join": (ws, args) => {
    const c = conversation(ws, str(args, "channel"));
    if (c.isIm || c.isPrivate) throw new SlackFail("method_not_supported_for_channel_type");
    if (c.isArchived) throw new SlackFail("is_archived");
    const already = c.members.has(ws.botUserId);
    c.members.add(ws.botUserId);
    return { channel: channelObject(ws, c), ...(already ? { warning: "already_in_channel", response_metadata: { warnings: ["already_in_channel"] } } : {}) };
  },

  "conversations.history": (ws, args) => {
    const c = conversation(ws, str(args, "channel"), { member: true });
    const oldest = Number(str(args, "oldest") ?? 0);
    const latest = Number(str(args, "latest") ?? Number.MAX_SAFE_INTEGER);
    // like Slack, the boundaries are excluded unless `inclusive` is set
    const inclusive = bool(args, "inclusive");
    const inRange = (t: number) => (inclusive ? t >= oldest && t <= latest : t > oldest && t < latest);
    const limit = Math.min(Number(str(args, "limit") ?? 100), 999);
    const withMetadata = bool(args, "include_all_metadata");
    // newest first, a page at a time: the cursor names the ts the next page starts below (as Slack's
    // opaque base64 "next_ts:…" cursors do)
    const cursor = str(args, "cursor");
    let below = Number.POSITIVE_INFINITY;
    if (cursor) {
      const m = /^next_ts:(\d+\.\d+)$/.exec(Buffer.from(cursor, "base64").toString("utf8"));
      if (!m) throw new SlackFail("invalid_cursor");
      below = Number(m[1]);
    }
    const matching = c.messages.filter((m) => inRange(Number(m.ts)) && m.threadTs === undefined && Number(m.ts) < below).reverse();
    const page = matching.slice(0, limit);
    const more = matching.length > limit;
    const last = page[page.length - 1];
    const threads = threadsOf(c);
    return {
      // a parent shows its thread as Slack does: thread_ts, reply_count, latest_reply
      messages: page.map((m) => {
        const t = threads.get(m.ts);
        return { ...messageObject(m, { metadata: withMetadata }), ...(t ? { thread_ts: m.ts, reply_count: t.count, latest_reply: t.latest } : {}) };
      }),
      has_more: more,
      pin_count: c.pins.size,
      ...(more && last ? { response_metadata: { next_cursor: Buffer.from(`next_ts:${last.ts}`).toString("base64") } } : {}),
    };
  },

  // a thread, oldest first: its parent, then the replies, a page at a time (the cursor names the ts the
  // next page starts after)
  "conversations.replies": (ws, args) => {
    const c = conversation(ws, str(args, "channel"), { member: true });
    const ts = need(args, "ts", "thread_not_found");
    const hit = c.messages.find((m) => m.ts === ts);
    if (!hit) throw new SlackFail("thread_not_found");
    const root = (hit.threadTs ? c.messages.find((m) => m.ts === hit.threadTs) : undefined) ?? hit;
    const limit = Math.min(Math.max(Number(str(args, "limit") ?? 1000), 1), 1000);
    const cursor = str(args, "cursor");
    let after = Number.NEGATIVE_INFINITY;
    if (cursor) {
      const m = /^next_ts:(\d+\.\d+)$/.exec(Buffer.from(cursor, "base64").toString("utf8"));
      if (!m) throw new SlackFail("invalid_cursor");
      after = Number(m[1]);
    }
    const replies = c.messages.filter((m) => m.threadTs === root.ts);
    const thread = [root, ...replies].filter((m) => Number(m.ts) > after);
    const page = thread.slice(0, limit);
    const more = thread.length > limit;
    const last = page[page.length - 1];
    return {
      messages: page.map((m) => ({
        ...messageObject(m),
        thread_ts: root.ts,
        ...(m === root ? { reply_count: replies.length, ...(replies.length > 0 ? { latest_reply: replies.at(-1)?.ts } : {}) } : { parent_user_id: root.user }),
      })),
      has_more: more,
      ...(more && last ? { response_metadata: { next_cursor: Buffer.from(`next_ts:${last.ts}`).toString("base64") } } : {}),
    };
  },

  "conversations.members": (ws, args) => ({ members: [...conversation(ws, str(args, "channel")).members] }),

  "pins.add": (ws, args) => {
    const c = conversation(ws, str(args, "channel"), { member: true });
    const ts = str(args, "timestamp");
    if (ts === undefined) throw new SlackFail("no_item_specified");
    if (!c.messages.some((m) => m.ts === ts)) throw new SlackFail("message_not_found");
    if (c.pins.has(ts)) throw new SlackFail("already_pinned");
    if (c.pins.size >= 100) throw new SlackFail("too_many_pins");
    c.pins.add(ts);
    return {};
  },

  "pins.remove": (ws, args) => {
    const c = conversation(ws, str(args, "channel"), { member: true });
    const ts = str(args, "timestamp");
    if (ts === undefined) throw new SlackFail("no_item_specified");
    if (!c.messages.some((m) => m.ts === ts)) throw new SlackFail("message_not_found");
    if (!c.pins.has(ts)) throw new SlackFail("no_pin");
    c.pins.delete(ts);
    return {};
  },

  "bookmarks.add": (ws, args) => {
    const c = conversation(ws, str(args, "channel_id"), { member: true });
    const title = need(args, "title");
    if (str(args, "type") !== "link") throw new SlackFail("invalid_bookmark_type");
    const link = str(args, "link") ?? "";
    if (!/^https?:\/\//.test(link) || link.length > 2048) throw new SlackFail("invalid_link");
    if (c.bookmarks.length >= 100) throw new SlackFail("too_many_bookmarks");
    const bookmark = { id: newId("Bk"), title, link };
    c.bookmarks.push(bookmark);
    return { bookmark: { ...bookmark, channel_id: c.id, type: "link" } };
  },

  "reactions.add": (ws, args) => {
    const c = conversation(ws, str(args, "channel"));
    const m = c.messages.find((x) => x.ts === str(args, "timestamp"));
    if (!m) throw new SlackFail("message_not_found");
    const name = need(args, "name", "invalid_name");
    const who = m.reactions.get(name) ?? new Set();
    if (who.has(ws.botUserId)) throw new SlackFail("already_reacted");
    who.add(ws.botUserId);
    m.reactions.set(name, who);
    return {};
  },
};

/** Each thread's reply count and latest reply, by its parent's ts. */
function threadsOf(c: FakeConversation): Map<string, { count: number; latest: string }> {
  const out = new Map<string, { count: number; latest: string }>();
  for (const m of c.messages) {
    if (m.threadTs === undefined) continue;
    const t = out.get(m.threadTs);
    out.set(m.threadTs, { count: (t?.count ?? 0) + 1, latest: m.ts });
  }
  return out;
}
