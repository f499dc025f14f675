// The local Slack's in-memory workspace: users, conversations (channels, private channels, DMs),
// messages with timestamps, pins, bookmarks, views (each person's stack of open modals, and App
// Homes), canvases and files. The playground saves it as JSON between runs (snapshot / restore).

export interface FakeUser {
  id: string;
  name: string;
  realName: string;
  isBot: boolean;
  deleted: boolean;
  tz: string;
  /** A guest, or a person of another organisation (Slack Connect): cannot be invited everywhere. */
  restricted?: boolean;
  /** profile.email (Slack shows it with users:read.email); a person's defaults to <name>@example.com. */
  email?: string;
}

export interface FakeUserGroup {
  id: string;
  handle: string;
  users: string[];
  enabled: boolean;
}

export interface FakeMessage {
  ts: string;
  channel: string;
  user?: string;
  botId?: string;
  text: string;
  blocks?: unknown[];
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
  threadTs?: string;
  files?: string[];
  edited?: boolean;
  reactions: Map<string, Set<string>>;
}

export interface FakeConversation {
  id: string;
  name: string;
  isPrivate: boolean;
  isIm: boolean;
  created: number;
  creator: string;
  isArchived: boolean;
  members: Set<string>;
  topic: string;
  purpose: string;
  messages: FakeMessage[];
  pins: Set<string>;
  bookmarks: { id: string; title: string; link: string }[];
  canvasId?: string;
}

export interface FakeView {
  id: string;
  hash: string;
  user: string;
  view: Record<string, unknown>;
  rootId: string;
  previousId?: string;
}

export interface FakeCanvas {
  id: string;
  title: string;
  markdown: string;
  channelId?: string;
  edits: number;
}

export interface FakeFile {
  id: string;
  filename: string;
  length: number;
  title?: string;
  content?: Buffer;
  channels: string[];
}

export interface FakeEphemeral {
  /** Its message_ts (what a click on it reports as the container's message_ts). */
  ts?: string;
  channel: string;
  user: string;
  text: string;
  blocks?: unknown[];
  at: number;
}

/** A message as the Web API (and interaction payloads) show it; its metadata unless asked not to. */
export function messageObject(m: FakeMessage, opts: { metadata?: boolean } = {}): Record<string, unknown> {
  return {
    type: "message",
    ts: m.ts,
    text: m.text,
    ...(m.user ? { user: m.user } : {}),
    ...(m.botId ? { bot_id: m.botId } : {}),
    ...(m.blocks ? { blocks: m.blocks } : {}),
    ...((opts.metadata ?? true) && m.metadata ? { metadata: m.metadata } : {}),
  };
}

let counter = 0;

/** Slack-looking ids: a prefix letter and uppercase base-36 digits. */
export function newId(prefix: string): string {
  counter += 1;
  return `${prefix}${(0x10000000 + counter).toString(36).toUpperCase()}`;
}

/** After a restore: new ids continue past every id the saved workspace holds. */
function continueIdsAfter(ids: Iterable<string>): void {
  for (const id of ids) {
    const n = Number.parseInt(id.slice(1), 36) - 0x10000000;
    if (Number.isSafeInteger(n) && n > counter) counter = n;
  }
}

/** The JSON form of a workspace (Maps and Sets as arrays), version 1. */
export interface WorkspaceSnapshot {
  version: 1;
  users: FakeUser[];
  userGroups: FakeUserGroup[];
  conversations: (Omit<FakeConversation, "members" | "pins" | "messages"> & {
    members: string[];
    pins: string[];
    messages: (Omit<FakeMessage, "reactions"> & { reactions: [string, string[]][] })[];
  })[];
  views: FakeView[];
  homeViews: FakeView[];
  modalStacks: [string, string[]][];
  canvases: FakeCanvas[];
  files: (Omit<FakeFile, "content"> & { content?: string })[];
  ephemerals: FakeEphemeral[];
  lastTs: number;
}

export class Workspace {
  readonly teamId = "T0WARROOM";
  readonly teamName: string;
  readonly teamDomain: string;
  readonly botUserId = "UBOTWARROOM";
  readonly botId = "BWARROOM";
  readonly appId = "AWARROOM";
  readonly users = new Map<string, FakeUser>();
  readonly conversations = new Map<string, FakeConversation>();
  readonly views = new Map<string, FakeView>();
  readonly homeViews = new Map<string, FakeView>();
  /** Each person's open modals, bottom first (views.open starts a stack, views.push adds to it). */
  readonly modalStacks = new Map<string, string[]>();
  readonly canvases = new Map<string, FakeCanvas>();
  readonly files = new Map<string, FakeFile>();
  readonly ephemerals: FakeEphemeral[] = [];
  readonly userGroups = new Map<string, FakeUserGroup>();
  /** trigger_id → when it was issued, for whom, and whether a view was already opened with it. */
  readonly triggers = new Map<string, { issuedAt: number; user: string; used: boolean }>();
  canvasesEnabled = true;
  /** The app has chat:write.public: it may post in public channels it has not joined. */
  chatWritePublic = true;
  private lastTs = 0;

  constructor(opts: { teamName?: string; teamDomain?: string } = {}) {
    this.teamName = opts.teamName ?? "Warroom Test";
    this.teamDomain = opts.teamDomain ?? "warroom-test";
    this.users.set(this.botUserId, {
      id: this.botUserId,
      name: "warroom",
      realName: "Warroom",
      isBot: true,
      deleted: false,
      tz: "UTC",
    });
  }

  /** Strictly increasing message timestamps, in Slack's "seconds.micro" form. */
  nextTs(): string {
    const now = Date.now() * 1000;
    this.lastTs = Math.max(now, this.lastTs + 1);
    const s = Math.floor(this.lastTs / 1e6);
    const us = this.lastTs % 1e6;
    return `${s}.${String(us).padStart(6, "0")}`;
  }

  addUser(name: string, opts: Partial<Omit<FakeUser, "id" | "name">> = {}): FakeUser {
    const user: FakeUser = {
      id: newId("U"),
      name,
      realName: opts.realName ?? name[0]?.toUpperCase() + name.slice(1),
      isBot: opts.isBot ?? false,
      deleted: opts.deleted ?? false,
      tz: opts.tz ?? "UTC",
      ...(opts.restricted ? { restricted: true } : {}),
      ...(opts.email !== undefined || !opts.isBot ? { email: opts.email ?? `${name.toLowerCase().replace(/[^a-z0-9._-]+/g, ".")}@example.com` } : {}),
    };
    this.users.set(user.id, user);
    return user;
  }

  addUserGroup(handle: string, users: string[]): FakeUserGroup {
    const group: FakeUserGroup = { id: newId("S"), handle, users: [...users], enabled: true };
    this.userGroups.set(group.id, group);
    return group;
  }

  addChannel(name: string, opts: { isPrivate?: boolean; members?: string[]; creator?: string } = {}): FakeConversation {
    const c: FakeConversation = {
      id: newId(opts.isPrivate ? "G" : "C"),
      name,
      isPrivate: opts.isPrivate ?? false,
      isIm: false,
      created: Math.floor(Date.now() / 1000),
      creator: opts.creator ?? this.botUserId,
      isArchived: false,
      members: new Set(opts.members ?? []),
      topic: "",
      purpose: "",
      messages: [],
      pins: new Set(),
      bookmarks: [],
    };
    this.conversations.set(c.id, c);
    return c;
  }

  /** The app's DM with a user, created on first use (what posting to a user id does). */
  imWith(userId: string): FakeConversation {
    for (const c of this.conversations.values()) {
      if (c.isIm && c.members.has(userId)) return c;
    }
    const c = this.addChannel(`im-${userId}`, { members: [userId, this.botUserId] });
    this.conversations.delete(c.id);
    c.id = newId("D");
    c.isIm = true;
    c.isPrivate = true;
    this.conversations.set(c.id, c);
    return c;
  }

  /** A trigger_id as Slack puts in an interaction: valid for 3 seconds, usable once. */
  newTrigger(user: string): string {
    // expired ones can never be used again: forget them (a playground runs for hours)
    const now = Date.now();
    if (this.triggers.size > 1000) for (const [k, t] of this.triggers) if (now - t.issuedAt > 60_000) this.triggers.delete(k);
    const id = `${Date.now()}.${Math.floor(Math.random() * 1e9)}.${newId("").toLowerCase()}`;
    this.triggers.set(id, { issuedAt: Date.now(), user, used: false });
    return id;
  }

  channelByName(name: string): FakeConversation | undefined {
    for (const c of this.conversations.values()) if (!c.isIm && c.name === name) return c;
    return undefined;
  }

  /** Adds a message as if a person wrote it. */
  addMessage(channel: string, user: string, text: string, opts: { threadTs?: string } = {}): FakeMessage {
    const c = this.conversations.get(channel);
    if (!c) throw new Error(`no channel ${channel}`);
    const m: FakeMessage = { ts: this.nextTs(), channel, user, text, reactions: new Map(), ...(opts.threadTs ? { threadTs: opts.threadTs } : {}) };
    c.messages.push(m);
    return m;
  }

  /** Adds a message the app posted (chat.postMessage, a file shared, a response_url's in_channel answer). */
  addAppMessage(channel: string, text: string, extra: { [K in "blocks" | "metadata" | "threadTs" | "files"]?: FakeMessage[K] | undefined } = {}): FakeMessage {
    const c = this.conversations.get(channel);
    if (!c) throw new Error(`no channel ${channel}`);
    const fields = Object.fromEntries(Object.entries(extra).filter(([, v]) => v !== undefined)) as Partial<FakeMessage>;
    const m: FakeMessage = { ts: this.nextTs(), channel, user: this.botUserId, botId: this.botId, text, ...fields, reactions: new Map() };
    c.messages.push(m);
    return m;
  }

  /**
   * An ephemeral message for one person (chat.postEphemeral, a response_url's answer). An ephemeral message
   * lasts until its person reloads Slack: the workspace keeps the last 200.
   */
  addEphemeral(channel: string, user: string, text: string, blocks?: unknown[]): FakeEphemeral {
    const e: FakeEphemeral = { ts: this.nextTs(), channel, user, text, ...(blocks ? { blocks } : {}), at: Date.now() };
    this.ephemerals.push(e);
    if (this.ephemerals.length > 200) this.ephemerals.splice(0, this.ephemerals.length - 200);
    return e;
  }

  /** Removes an ephemeral message (dismissed by its person, or deleted through its response_url). */
  dropEphemeral(ts: string, user?: string): void {
    const i = this.ephemerals.findIndex((e) => e.ts === ts && (user === undefined || e.user === user));
    if (i >= 0) this.ephemerals.splice(i, 1);
  }

  message(channel: string, ts: string): FakeMessage | undefined {
    return this.conversations.get(channel)?.messages.find((m) => m.ts === ts);
  }

  permalink(channel: string, ts: string): string {
    return `https://${this.teamDomain}.slack.com/archives/${channel}/p${ts.replace(".", "")}`;
  }

  /** A view's hash, new on each change (what views.update's `hash` is compared with). */
  newViewHash(): string {
    return `${Math.floor(Date.now() / 1000)}.${Math.floor(Math.random() * 1e9)}`;
  }

  /** views.open: a new stack of one modal for the person. */
  openModal(user: string, view: Record<string, unknown>): FakeView {
    const id = newId("V");
    const v: FakeView = { id, hash: this.newViewHash(), user, view, rootId: id };
    this.views.set(id, v);
    this.modalStacks.set(user, [id]);
    return v;
  }

  /** views.push (or a submission answered with push): on top of the person's stack; undefined when it holds Slack's three already. */
  pushModal(user: string, view: Record<string, unknown>): FakeView | undefined {
    const stack = this.modalStacks.get(user) ?? [];
    if (stack.length >= 3) return undefined;
    const id = newId("V");
    const previousId = stack[stack.length - 1];
    const v: FakeView = { id, hash: this.newViewHash(), user, view, rootId: stack[0] ?? id, ...(previousId ? { previousId } : {}) };
    this.views.set(id, v);
    this.modalStacks.set(user, [...stack, id]);
    return v;
  }

  /** views.update (or a submission answered with update): the same view, new content and hash. */
  updateView(v: FakeView, view: Record<string, unknown>): void {
    v.view = view;
    v.hash = this.newViewHash();
  }

  /** The modal on top of a person's stack, if one is open. */
  topModal(user: string): FakeView | undefined {
    const stack = this.modalStacks.get(user) ?? [];
    const id = stack[stack.length - 1];
    return id === undefined ? undefined : this.views.get(id);
  }

  /** Closes the top modal (or, with `all`, the whole stack); returns the views closed. */
  closeModal(user: string, all = false): FakeView[] {
    const stack = this.modalStacks.get(user) ?? [];
    const closed = (all ? stack.splice(0) : stack.splice(-1)).map((id) => this.views.get(id)).filter((v): v is FakeView => v !== undefined);
    if (stack.length === 0) this.modalStacks.delete(user);
    return closed;
  }

  snapshot(): WorkspaceSnapshot {
    return {
      version: 1,
      users: [...this.users.values()],
      userGroups: [...this.userGroups.values()],
      conversations: [...this.conversations.values()].map((c) => ({
        ...c,
        members: [...c.members],
        pins: [...c.pins],
        messages: c.messages.map((m) => ({ ...m, reactions: [...m.reactions].map(([name, who]): [string, string[]] => [name, [...who]]) })),
      })),
      views: [...this.views.values()],
      homeViews: [...this.homeViews.values()],
      modalStacks: [...this.modalStacks],
      canvases: [...this.canvases.values()],
      files: [...this.files.values()].map(({ content, ...f }) => ({ ...f, ...(content ? { content: content.toString("base64") } : {}) })),
      ephemerals: this.ephemerals,
      lastTs: this.lastTs,
    };
  }

  /** Puts a saved workspace back (into a new one: its team, and the bot's own user, stay). */
  restore(saved: WorkspaceSnapshot): this {
    for (const u of saved.users) this.users.set(u.id, u);
    for (const g of saved.userGroups) this.userGroups.set(g.id, g);
    for (const c of saved.conversations) {
      this.conversations.set(c.id, {
        ...c,
        members: new Set(c.members),
        pins: new Set(c.pins),
        messages: c.messages.map((m) => ({ ...m, reactions: new Map(m.reactions.map(([name, who]) => [name, new Set(who)])) })),
      });
    }
    for (const v of saved.views) this.views.set(v.id, v);
    for (const v of saved.homeViews) this.homeViews.set(v.user, v);
    for (const [user, stack] of saved.modalStacks) this.modalStacks.set(user, stack);
    for (const c of saved.canvases) this.canvases.set(c.id, c);
    for (const { content, ...f } of saved.files) this.files.set(f.id, { ...f, ...(content !== undefined ? { content: Buffer.from(content, "base64") } : {}) });
    this.ephemerals.push(...saved.ephemerals);
    this.lastTs = Math.max(this.lastTs, saved.lastTs);
    continueIdsAfter([...this.users.keys(), ...this.userGroups.keys(), ...this.conversations.keys(), ...this.views.keys(), ...this.canvases.keys(), ...this.files.keys()]);
    return this;
  }
}
