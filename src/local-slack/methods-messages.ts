// Fake Slack Web API: chat.*, views.*, canvases.*, files.*External.

import { checkBlocks, checkView } from "./block-kit.ts";
import { type Args, conversation, type Handler, need, SlackFail, str } from "./methods-conversations.ts";
import { type FakeMessage, messageObject, newId, type Workspace } from "./workspace.ts";

const TRIGGER_TTL_MS = 3000;

function blocksOf(args: Args, surface: "message"): unknown[] | undefined {
  const blocks = args.blocks;
  if (blocks === undefined || blocks === null || blocks === "") return undefined;
  if (typeof blocks === "string") throw new SlackFail("invalid_blocks_format");
  const problem = checkBlocks(blocks, surface);
  if (problem) throw new SlackFail("invalid_blocks", { response_metadata: { messages: [`[ERROR] ${problem}`] } });
  return blocks as unknown[];
}

function metadataOf(args: Args): FakeMessage["metadata"] | undefined {
  const m = args.metadata;
  if (m === undefined || m === null || m === "") return undefined;
  if (typeof m !== "object" || typeof (m as { event_type?: unknown }).event_type !== "string") {
    throw new SlackFail("invalid_metadata_format");
  }
  if (JSON.stringify(m).length > 8000) throw new SlackFail("metadata_too_large");
  return m as FakeMessage["metadata"];
}

/** Uses up a trigger_id; returns the person it was issued for (whose modal opens). */
function useTrigger(ws: Workspace, args: Args): string {
  const id = str(args, "trigger_id");
  if (id === undefined) throw new SlackFail("invalid_arguments", { response_metadata: { messages: ["invalid `trigger_id`"] } });
  const t = ws.triggers.get(id);
  if (!t) throw new SlackFail("invalid_trigger_id");
  if (t.used) throw new SlackFail("exchanged_trigger_id");
  if (Date.now() - t.issuedAt > TRIGGER_TTL_MS) throw new SlackFail("expired_trigger_id");
  t.used = true;
  return t.user;
}

function viewArg(args: Args): Record<string, unknown> {
  const view = args.view;
  if (typeof view !== "object" || view === null) throw new SlackFail("invalid_arguments");
  const problem = checkView(view);
  if (problem) throw new SlackFail("invalid_arguments", { response_metadata: { messages: [`[ERROR] ${problem}`] } });
  if (JSON.stringify(view).length > 250_000) throw new SlackFail("view_too_large");
  return view as Record<string, unknown>;
}

function viewObject(ws: Workspace, id: string, hash: string, view: Record<string, unknown>, rootId: string) {
  return {
    ...view,
    id,
    hash,
    team_id: ws.teamId,
    app_id: ws.appId,
    bot_id: ws.botId,
    root_view_id: rootId,
    state: { values: {} },
  };
}

function markdownOf(args: Args, key = "document_content"): string | undefined {
  const content = args[key];
  if (content === undefined || content === null || content === "") return undefined;
  const c = content as { type?: unknown; markdown?: unknown };
  if (c.type !== "markdown" || typeof c.markdown !== "string") throw new SlackFail("invalid_arguments");
  if (c.markdown.length > 1_048_576) throw new SlackFail("canvas_too_large");
  return c.markdown;
}

export const messageMethods: Record<string, Handler> = {
  "chat.postMessage": (ws, args) => {
    const c = conversation(ws, str(args, "channel"), { writable: true, byName: true });
    if (!c.isIm && !c.members.has(ws.botUserId) && (c.isPrivate || !ws.chatWritePublic)) throw new SlackFail("not_in_channel");
    const text = str(args, "text");
    const blocks = blocksOf(args, "message");
    if (text === undefined && blocks === undefined && args.attachments === undefined) throw new SlackFail("no_text");
    if ((text ?? "").length > 40_000) throw new SlackFail("msg_too_long");
    const m = ws.addAppMessage(c.id, text ?? "", { blocks, metadata: metadataOf(args), threadTs: str(args, "thread_ts") });
    return { channel: c.id, ts: m.ts, message: messageObject(m) };
  },

  "chat.update": (ws, args) => {
    const c = conversation(ws, str(args, "channel"), { writable: true });
    const m = c.messages.find((x) => x.ts === need(args, "ts", "message_not_found"));
    if (!m) throw new SlackFail("message_not_found");
    if (m.botId !== ws.botId) throw new SlackFail("cant_update_message");
    const text = str(args, "text");
    if ((text ?? "").length > 4000) throw new SlackFail("msg_too_long");
    const blocks = blocksOf(args, "message");
    if (text !== undefined) m.text = text;
    if (blocks !== undefined) m.blocks = blocks;
    const metadata = metadataOf(args);
    if (metadata) m.metadata = metadata;
    m.edited = true;
    return { channel: c.id, ts: m.ts, text: m.text, message: messageObject(m) };
  },

  "chat.postEphemeral": (ws, args) => {
    const c = conversation(ws, str(args, "channel"), { writable: true });
    const user = need(args, "user", "user_not_in_channel");
    if (!c.isIm && !c.members.has(ws.botUserId)) throw new SlackFail("not_in_channel");
    if (!c.isIm && !c.members.has(user)) throw new SlackFail("user_not_in_channel");
    const text = str(args, "text");
    const blocks = blocksOf(args, "message");
    if (text === undefined && blocks === undefined) throw new SlackFail("no_text");
    return { message_ts: ws.addEphemeral(c.id, user, text ?? "", blocks).ts };
  },

  "chat.getPermalink": (ws, args) => {
    const c = conversation(ws, str(args, "channel"));
    const ts = need(args, "message_ts", "message_not_found");
    if (!c.messages.some((m) => m.ts === ts)) throw new SlackFail("message_not_found");
    return { channel: c.id, permalink: ws.permalink(c.id, ts) };
  },

  "views.open": (ws, args) => {
    const view = viewArg(args);
    const v = ws.openModal(useTrigger(ws, args), view);
    return { view: viewObject(ws, v.id, v.hash, view, v.rootId) };
  },

  // on top of the person's open modal (Slack allows three in a stack)
  "views.push": (ws, args) => {
    const view = viewArg(args);
    const v = ws.pushModal(useTrigger(ws, args), view);
    if (!v) throw new SlackFail("push_limit_reached");
    return { view: viewObject(ws, v.id, v.hash, view, v.rootId) };
  },

  "views.update": (ws, args) => {
    const view = viewArg(args);
    const id = str(args, "view_id");
    const existing = id
      ? ws.views.get(id)
      : [...ws.views.values()].find((v) => v.view.external_id !== undefined && v.view.external_id === str(args, "external_id"));
    if (!existing) throw new SlackFail("not_found");
    const hash = str(args, "hash");
    if (hash !== undefined && hash !== existing.hash) throw new SlackFail("hash_conflict");
    ws.updateView(existing, view);
    return { view: viewObject(ws, existing.id, existing.hash, view, existing.rootId) };
  },

  "views.publish": (ws, args) => {
    const user = need(args, "user_id", "invalid_arguments");
    const view = viewArg(args);
    if (view.type !== "home") throw new SlackFail("invalid_arguments");
    const existing = ws.homeViews.get(user);
    const hash = str(args, "hash");
    if (existing && hash !== undefined && hash !== existing.hash) throw new SlackFail("hash_conflict");
    const id = existing?.id ?? newId("V");
    const record = { id, hash: ws.newViewHash(), user, view, rootId: id };
    ws.homeViews.set(user, record);
    return { view: viewObject(ws, id, record.hash, view, id) };
  },

  "canvases.create": (ws, args) => {
    if (!ws.canvasesEnabled) throw new SlackFail("canvas_disabled_user_team");
    const channelId = str(args, "channel_id");
    if (channelId) conversation(ws, channelId, { member: true, writable: true });
    const id = newId("F");
    ws.canvases.set(id, { id, title: str(args, "title") ?? "Untitled", markdown: markdownOf(args) ?? "", ...(channelId ? { channelId } : {}), edits: 0 });
    return { canvas_id: id };
  },

  "conversations.canvases.create": (ws, args) => {
    if (!ws.canvasesEnabled) throw new SlackFail("canvas_disabled_user_team");
    const c = conversation(ws, need(args, "channel_id", "channel_not_found"), { member: true, writable: true });
    if (c.canvasId) throw new SlackFail("channel_canvas_already_exists");
    const id = newId("F");
    ws.canvases.set(id, { id, title: str(args, "title") ?? c.name, markdown: markdownOf(args) ?? "", channelId: c.id, edits: 0 });
    c.canvasId = id;
    return { canvas_id: id };
  },

  "canvases.edit": (ws, args) => {
    if (!ws.canvasesEnabled) throw new SlackFail("canvas_disabled_user_team");
    const canvas = ws.canvases.get(need(args, "canvas_id", "canvas_not_found"));
    if (!canvas) throw new SlackFail("canvas_not_found");
    const changes = args.changes;
    if (!Array.isArray(changes) || changes.length !== 1) throw new SlackFail("invalid_arguments");
    const change = changes[0] as { operation?: string; document_content?: unknown; title_content?: unknown };
    const markdown = markdownOf(change);
    switch (change.operation) {
      case "replace":
        canvas.markdown = markdown ?? "";
        break;
      case "insert_at_end":
        canvas.markdown += markdown ?? "";
        break;
      case "insert_at_start":
        canvas.markdown = (markdown ?? "") + canvas.markdown;
        break;
      case "rename":
        canvas.title = (change.title_content as { markdown?: string } | undefined)?.markdown ?? canvas.title;
        break;
      default:
        throw new SlackFail("invalid_arguments");
    }
    canvas.edits += 1;
    return {};
  },

  "files.getUploadURLExternal": (ws, args) => {
    const filename = need(args, "filename", "missing_argument");
    const length = Number(need(args, "length", "missing_argument"));
    if (!Number.isInteger(length) || length < 0) throw new SlackFail("invalid_arguments");
    const id = newId("F");
    ws.files.set(id, { id, filename, length, channels: [] });
    // the upload URL points back at the fake; the server fills in its address
    return { file_id: id, upload_url: `{{base}}upload/${id}` };
  },

  "files.completeUploadExternal": (ws, args) => {
    const list = args.files;
    if (!Array.isArray(list) || list.length === 0) throw new SlackFail("invalid_arguments");
    const channelId = str(args, "channel_id");
    const c = channelId ? conversation(ws, channelId, { member: true, writable: true }) : undefined;
    const done = list.map((f: { id?: string; title?: string }) => {
      const file = ws.files.get(String(f.id));
      if (!file || file.content === undefined) throw new SlackFail("file_not_found");
      if (f.title) file.title = f.title;
      if (c) file.channels.push(c.id);
      return { id: file.id, title: file.title ?? file.filename, name: file.filename };
    });
    if (c) ws.addAppMessage(c.id, str(args, "initial_comment") ?? "", { files: done.map((f) => f.id) });
    return { files: done };
  },
};
