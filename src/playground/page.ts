// The playground's page, rendered on the server: the shell, the sidebar (channels as the bot creates
// them, direct messages, the App Home), a channel (topic, pins, bookmarks, canvas, messages and the
// acting person's ephemeral messages), the App Home, a canvas, a file, and the acting person's modal.
// The page's script (assets/app.js) asks for these fragments and swaps them in.

import type { FakeConversation, FakeEphemeral, FakeMessage, FakeUser, FakeView, Workspace } from "../local-slack/workspace.ts";
import { type BlockContext, blocks, markdownHtml } from "./blocks.ts";
import { escapeHtml, mrkdwn, type Names, plain, textObject } from "./mrkdwn.ts";

export interface Fragments {
  sidebar: string;
  /** The place shown; for a channel, its header (and `items`, its messages, which the page patches by id). */
  pane: string;
  items?: Item[];
  title: string;
  /** The open modal (or ""), and a key that changes when the app changes it. */
  modal: string;
  modalKey: string;
  /** Whether the pane has a composer, and its placeholder. */
  composer?: string;
}

/** One message (or ephemeral message) of a channel, keyed so the page can keep what did not change. */
export interface Item {
  id: string;
  html: string;
}

export interface ChannelPane {
  title: string;
  composer: string;
  head: string;
  items: Item[];
}

/** A channel pane as one piece of HTML (what the page builds from head and items). */
export function paneHtml(p: ChannelPane): string {
  return `${p.head}<div class="messages">${p.items.map((i) => i.html).join("")}</div>`;
}

function names(ws: Workspace): Names {
  const base = `https://${ws.teamDomain}.slack.com/`;
  return {
    user: (id) => ws.users.get(id)?.realName,
    channel: (id) => ws.conversations.get(id)?.name,
    group: (id) => ws.userGroups.get(id)?.handle,
    route: (url) => {
      if (!url.startsWith(base)) return undefined;
      const rest = url.slice(base.length);
      const archive = /^archives\/([A-Z0-9]+)(?:\/p(\d{10})(\d{6}))?/.exec(rest);
      if (archive) return archive[2] ? `#/c/${archive[1]}/${archive[2]}.${archive[3]}` : `#/c/${archive[1]}`;
      const doc = /^docs\/[A-Z0-9]+\/([A-Z0-9]+)/.exec(rest);
      if (doc) return `#/canvas/${doc[1]}`;
      const file = /^files\/[A-Z0-9]+\/([A-Z0-9]+)/.exec(rest);
      if (file) return `#/file/${file[1]}`;
      return undefined;
    },
  };
}

export function blockContext(ws: Workspace, errors?: Record<string, string>): BlockContext {
  const people = [...ws.users.values()].filter((u) => !u.deleted).map((u) => ({ id: u.id, name: u.realName }));
  const channels = [...ws.conversations.values()].filter((c) => !c.isIm && !c.isArchived).map((c) => ({ id: c.id, name: c.name }));
  return { names: names(ws), people, channels, ...(errors ? { errors } : {}) };
}

/** The channels a person sees: public ones, and private ones they are in; then their DMs with the app. */
function visible(ws: Workspace, as: string): { channels: FakeConversation[]; dms: FakeConversation[] } {
  const all = [...ws.conversations.values()];
  const channels = all.filter((c) => !c.isIm && (!c.isPrivate || c.members.has(as))).sort((a, b) => Number(a.isArchived) - Number(b.isArchived) || a.name.localeCompare(b.name));
  const dms = all.filter((c) => c.isIm && c.members.has(as));
  return { channels, dms };
}

export function sidebar(ws: Workspace, as: string, current: string): string {
  const { channels, dms } = visible(ws, as);
  const item = (href: string, label: string, key: string, extra = "") =>
    `<li><a href="${href}" class="side-item${key === current ? " current" : ""}${extra}">${label}</a></li>`;
  const chans = channels
    .map((c) => item(`#/c/${c.id}`, `<span class="hash">${c.isPrivate ? "🔒" : "#"}</span>${escapeHtml(c.name)}`, `c:${c.id}`, c.isArchived ? " archived" : c.creator === ws.botUserId ? " incident" : ""))
    .join("");
  const dmItems = dms.map((c) => item(`#/c/${c.id}`, `<span class="hash">●</span>Warroom`, `c:${c.id}`)).join("");
  return (
    `<div class="side-title">${escapeHtml(ws.teamName)}</div>` +
    `<ul class="side-list">${item("#/home", "<span class=\"hash\">⌂</span>Warroom · Home", "home")}</ul>` +
    `<div class="side-head">Channels</div><ul class="side-list" data-testid="channels">${chans}</ul>` +
    `<div class="side-head">Direct messages</div><ul class="side-list">${dmItems || '<li class="side-empty">The app writes here when it has something for you</li>'}</ul>`
  );
}

function initials(name: string): string {
  return escapeHtml(
    name
      .split(/\s+/)
      .map((w) => w[0] ?? "")
      .join("")
      .slice(0, 2)
      .toUpperCase(),
  );
}

function author(ws: Workspace, m: { user?: string; botId?: string }): { name: string; bot: boolean } {
  if (m.botId === ws.botId || m.user === ws.botUserId) return { name: "Warroom", bot: true };
  const u = m.user ? ws.users.get(m.user) : undefined;
  return { name: u?.realName ?? m.user ?? "someone", bot: false };
}

function timeOf(ts: string): string {
  const unix = Math.floor(Number(ts));
  const d = new Date(unix * 1000);
  return `<time datetime="${d.toISOString()}" data-format="{time}">${d.toISOString().slice(11, 16)}</time>`;
}

function content(ctx: BlockContext, m: { text: string; blocks?: unknown[] }): string {
  return Array.isArray(m.blocks) && m.blocks.length > 0 ? blocks(m.blocks, ctx, "message") : `<div class="bk-text">${mrkdwn(m.text, ctx.names)}</div>`;
}

function files(ws: Workspace, ids: string[] | undefined): string {
  if (!ids || ids.length === 0) return "";
  return ids
    .map((id) => {
      const f = ws.files.get(id);
      return f ? `<a class="file-chip" href="#/file/${escapeHtml(id)}">📄 ${escapeHtml(f.title ?? f.filename)}</a>` : "";
    })
    .join("");
}

function reactions(m: FakeMessage, as: string): string {
  if (m.reactions.size === 0) return "";
  return `<div class="reactions">${[...m.reactions]
    .map(([name, who]) => `<button type="button" class="reaction${who.has(as) ? " mine" : ""}" data-tool="react" data-name="${escapeHtml(name)}">${plain(`:${name}:`)} ${who.size}</button>`)
    .join("")}</div>`;
}

function message(ws: Workspace, ctx: BlockContext, c: FakeConversation, m: FakeMessage, as: string, replies: FakeMessage[]): string {
  const who = author(ws, m);
  const pinned = c.pins.has(m.ts);
  const thread = replies.length > 0 ? `<div class="thread">${replies.map((r) => message(ws, ctx, c, r, as, [])).join("")}</div>` : "";
  return (
    `<div class="msg${pinned ? " pinned" : ""}" id="m-${m.ts.replace(".", "-")}" data-ts="${m.ts}" data-channel="${c.id}" tabindex="0">` +
    `<div class="avatar${who.bot ? " bot" : ""}">${who.bot ? "⚑" : initials(who.name)}</div>` +
    `<div class="msg-body"><div class="meta"><strong>${escapeHtml(who.name)}</strong>${who.bot ? ' <span class="tag">APP</span>' : ""} ${timeOf(m.ts)}${m.edited ? ' <span class="edited">(edited)</span>' : ""}${pinned ? ' <span class="pin-mark">📌 Pinned</span>' : ""}</div>` +
    // the message actions (pin, :pushpin:, the shortcut) are one toolbar the page moves to the message under the pointer
    `<div class="content">${content(ctx, m)}</div>${files(ws, m.files)}${reactions(m, as)}</div>${thread}</div>`
  );
}

function ephemeral(ctx: BlockContext, e: FakeEphemeral): string {
  return (
    `<div class="msg ephemeral" data-ts="${escapeHtml(e.ts ?? "")}" data-channel="${escapeHtml(e.channel)}" data-ephemeral>` +
    `<div class="avatar bot">⚑</div><div class="msg-body"><div class="meta"><strong>Warroom</strong> <span class="tag">APP</span> ${timeOf(e.ts ?? String(e.at / 1000))} <span class="only-you">Only visible to you</span>` +
    ` <button type="button" class="dismiss" data-tool="dismiss">Dismiss</button></div>` +
    `<div class="content">${content(ctx, e)}</div></div></div>`
  );
}

/** A channel: header (name, topic, pins, bookmarks, canvas) and its messages with the person's ephemerals. */
export function channelPane(ws: Workspace, c: FakeConversation, as: string): ChannelPane {
  const ctx = blockContext(ws);
  const top = c.messages.filter((m) => m.threadTs === undefined || m.threadTs === m.ts);
  const replies = new Map<string, FakeMessage[]>();
  for (const m of c.messages) if (m.threadTs !== undefined && m.threadTs !== m.ts) replies.set(m.threadTs, [...(replies.get(m.threadTs) ?? []), m]);
  const mine = ws.ephemerals.filter((e) => e.channel === c.id && e.user === as);
  const items: { ts: number; id: string; html: string }[] = [
    ...top.map((m) => ({ ts: Number(m.ts), id: `m${m.ts}`, html: message(ws, ctx, c, m, as, replies.get(m.ts) ?? []) })),
    ...mine.map((e) => ({ ts: Number(e.ts ?? e.at / 1000), id: `e${e.ts ?? e.at}`, html: ephemeral(ctx, e) })),
  ].sort((a, b) => a.ts - b.ts);
  const pins = c.messages.filter((m) => c.pins.has(m.ts));
  const pinList = pins.map((m) => `<li><a href="#/c/${c.id}/${m.ts}">${escapeHtml(author(ws, m).name)}: ${escapeHtml(summary(m))}</a></li>`).join("");
  const bookmarks = c.bookmarks.map((b) => `<a class="bookmark" href="${escapeHtml(ctx.names.route?.(b.link) ?? b.link)}"${ctx.names.route?.(b.link) ? "" : ' target="_blank" rel="noreferrer noopener"'}>🔖 ${escapeHtml(b.title)}</a>`).join("");
  const canvas = c.canvasId ? `<a class="bookmark canvas-link" href="#/canvas/${c.canvasId}">📝 Canvas</a>` : "";
  const title = c.isIm ? "Warroom" : `${c.isPrivate ? "🔒" : "#"}${c.name}`;
  const header =
    `<header class="pane-head"><div class="pane-title"><h1>${escapeHtml(title)}</h1>` +
    `<span class="members">${c.members.size} member${c.members.size === 1 ? "" : "s"}</span>${c.isArchived ? ' <span class="archived-tag">archived</span>' : ""}</div>` +
    (c.topic ? `<div class="topic" data-testid="topic">${mrkdwn(c.topic, ctx.names)}</div>` : "") +
    `<div class="pane-bar">${canvas}${bookmarks}${pins.length > 0 ? `<details class="pins"><summary>📌 ${pins.length} pinned</summary><ul>${pinList}</ul></details>` : ""}</div></header>`;
  const empty = { id: "empty", html: `<div class="empty">No messages yet. Type <code>/incident help</code> below.</div>` };
  return {
    title,
    head: header,
    items: items.length === 0 ? [empty] : items.map(({ id, html }) => ({ id, html })),
    composer: c.isArchived ? "" : c.isIm ? "Message Warroom, or type /incident help" : `Message #${c.name}, or type /incident …`,
  };
}

function summary(m: FakeMessage): string {
  const t = m.text.replace(/<[^>|]*\|([^>]*)>/g, "$1").replace(/<[^>]*>/g, "").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
  return t.length > 80 ? `${t.slice(0, 79)}…` : t;
}

export function homePane(ws: Workspace, as: string): { pane: string; title: string } {
  const home = ws.homeViews.get(as);
  const body = home ? `<div class="home" data-view="${home.id}">${blocks(home.view.blocks, blockContext(ws), "home")}</div>` : `<div class="empty">Opening the App Home…</div>`;
  return { title: "Warroom · Home", pane: `<header class="pane-head"><div class="pane-title"><h1>Warroom</h1><span class="members">Home</span></div></header>${body}` };
}

export function canvasPane(ws: Workspace, id: string): { pane: string; title: string } | undefined {
  const canvas = ws.canvases.get(id);
  if (!canvas) return undefined;
  const channel = canvas.channelId ? ws.conversations.get(canvas.channelId) : undefined;
  const back = channel ? `<a class="bookmark" href="#/c/${channel.id}">← #${escapeHtml(channel.name)}</a>` : "";
  return {
    title: canvas.title,
    pane: `<header class="pane-head"><div class="pane-title"><h1>📝 ${escapeHtml(canvas.title)}</h1><span class="members">canvas</span></div><div class="pane-bar">${back}</div></header><article class="canvas" data-testid="canvas">${markdownHtml(canvas.markdown)}</article>`,
  };
}

/** A file, readable, with its download (`download`: the address that serves it). */
export function filePane(ws: Workspace, id: string, download: string): { pane: string; title: string } | undefined {
  const f = ws.files.get(id);
  if (!f) return undefined;
  const text = f.content?.toString("utf8") ?? "";
  const isMarkdown = /\.md$/i.test(f.filename);
  const body = isMarkdown ? `<article class="canvas">${markdownHtml(text)}</article>` : `<pre class="file-text">${escapeHtml(text)}</pre>`;
  return {
    title: f.title ?? f.filename,
    pane: `<header class="pane-head"><div class="pane-title"><h1>📄 ${escapeHtml(f.title ?? f.filename)}</h1><span class="members">${escapeHtml(f.filename)} · ${f.content?.length ?? 0} bytes</span></div><div class="pane-bar"><a class="bookmark" href="${escapeHtml(download)}" download="${escapeHtml(f.filename)}">⬇ Download</a></div></header>${body}`,
  };
}

export function modal(ws: Workspace, view: FakeView | undefined, errors: Record<string, string> | undefined): { modal: string; modalKey: string } {
  if (!view) return { modal: "", modalKey: "" };
  const v = view.view;
  const ctx = blockContext(ws, errors);
  const submit = v.submit ? `<button type="submit" class="bk-button primary" data-modal="submit">${textObject(v.submit, ctx.names)}</button>` : "";
  const close = `<button type="button" class="bk-button" data-modal="cancel">${v.close ? textObject(v.close, ctx.names) : "Cancel"}</button>`;
  const back = view.previousId ? `<button type="button" class="modal-back" data-modal="cancel" aria-label="Back">←</button>` : "";
  const html =
    `<form class="modal" data-view="${view.id}" role="dialog" aria-modal="true" aria-label="${escapeHtml((v.title as { text?: string } | undefined)?.text ?? "Form")}">` +
    `<div class="modal-head">${back}<h2>${textObject(v.title, ctx.names)}</h2><button type="button" class="modal-x" data-modal="close" aria-label="Close">×</button></div>` +
    `<div class="modal-body">${blocks(v.blocks, ctx, "modal")}</div>` +
    `<div class="modal-problem" role="alert" hidden></div>` +
    `<div class="modal-foot">${close}${submit}</div></form>`;
  return { modal: html, modalKey: `${view.id}:${view.hash}:${errors ? JSON.stringify(errors) : ""}` };
}

export function person(u: FakeUser): { id: string; name: string } {
  return { id: u.id, name: u.realName };
}
