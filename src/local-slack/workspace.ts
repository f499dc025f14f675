// The fake Slack's in-memory workspace: users, conversations (channels, private channels, DMs),
// messages with timestamps, pins, bookmarks, views, canvases and files.

export interface FakeUser {
  id: string;
  name: string;
  realName: string;
  isBot: boolean;
  deleted: boolean;
  tz: string;
  /** A guest, or a person of another organisation (Slack Connect): cannot be invited everywhere. */
  restricted?: boolean;
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
  channel: string;
  user: string;
  text: string;
  blocks?: unknown[];
  at: number;
}

let counter = 0;

/** Slack-looking ids: a prefix letter and uppercase base-36 digits. */
export function newId(prefix: string): string {
  counter += 1;
  return `${prefix}${(0x10000000 + counter).toString(36).toUpperCase()}`;
}

export class Workspace {
  readonly teamId = "T0WARROOM";
  readonly teamName = "Warroom Test";
  readonly teamDomain = "warroom-test";
  readonly botUserId = "UBOTWARROOM";
  readonly botId = "BWARROOM";
  readonly appId = "AWARROOM";
  readonly users = new Map<string, FakeUser>();
  readonly conversations = new Map<string, FakeConversation>();
  readonly views = new Map<string, FakeView>();
  readonly homeViews = new Map<string, FakeView>();
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

  constructor() {
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
    const id = `${Date.now()}.${Math.floor(Math.random() * 1e9)}.${newId("").toLowerCase()}`;
    this.triggers.set(id, { issuedAt: Date.now(), user, used: false });
    return id;
  }

  channelByName(name: string): FakeConversation | undefined {
    for (const c of this.conversations.values()) if (!c.isIm && c.name === name) return c;
    return undefined;
  }

  /** Adds a message as if a person wrote it. */
  addMessage(channel: string, user: string, text: string): FakeMessage {
    const c = this.conversations.get(channel);
    if (!c) throw new Error(`no channel ${channel}`);
    const m: FakeMessage = { ts: this.nextTs(), channel, user, text, reactions: new Map() };
    c.messages.push(m);
    return m;
  }

  message(channel: string, ts: string): FakeMessage | undefined {
    return this.conversations.get(channel)?.messages.find((m) => m.ts === ts);
  }

  permalink(channel: string, ts: string): string {
    return `https://${this.teamDomain}.slack.com/archives/${channel}/p${ts.replace(".", "")}`;
  }
}
