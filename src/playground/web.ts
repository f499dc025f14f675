// The playground's web server, on loopback only: the page, its script and style, the fragments it
// shows (GET /ui), a stream that says when something changed (GET /ui/events, server-sent events),
// and one door for what the acting person does (POST /ui/do). The door asks for the page's own token
// as a bearer token (or `t=` where the browser cannot send a header: the event stream, a download; a
// page from elsewhere cannot read it) and this server's own Host (no DNS rebinding), caps its body,
// validates it with zod and answers errors as { error, message } — with the HTTP API's helpers (edge/http.ts).

import { randomBytes } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { authorized, firstIssue, HttpError, readJson, sameSecret, sendError, sendJson } from "../edge/http.ts";
import type { FakeConversation } from "../local-slack/workspace.ts";
import { CALLBACK } from "../slack/ids.ts";
import { canvasPane, channelPane, filePane, homePane, type Item, modal, person, sidebar, type Fragments } from "./page.ts";
import { escapeHtml } from "./mrkdwn.ts";
import type { Session } from "./session.ts";

const MAX_BODY = 256 * 1024;
// beside this module when run from src/, or in src/ when run from dist/ (the build compiles TypeScript only)
const HERE = path.dirname(fileURLToPath(import.meta.url));
const ASSETS = [path.join(HERE, "assets"), path.join(HERE, "../../src/playground/assets")].find((d) => fs.existsSync(path.join(d, "app.js"))) ?? path.join(HERE, "assets");

const id = z.string().regex(/^[A-Z0-9]{2,40}$/, "expected a Slack id");
const ts = z.string().regex(/^\d{10}\.\d{6}$/, "expected a message ts");
const raw = z.union([z.string().max(3000), z.array(z.string().max(3000)).max(100)]);
const values = z.record(z.string().regex(/^\d+\.(?:\d+|a)$/), raw);
const surface = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("message"), channel: id, ts }),
  z.object({ kind: z.literal("ephemeral"), channel: id, ts }),
  z.object({ kind: z.literal("modal"), viewId: id }),
  z.object({ kind: z.literal("home") }),
]);

const request = z.discriminatedUnion("op", [
  z.object({ op: z.literal("command"), as: id, channel: id, text: z.string().min(1).max(4000) }),
  z.object({ op: z.literal("message"), as: id, channel: id, text: z.string().trim().min(1, "type a message first").max(40_000) }),
  z.object({ op: z.literal("pin"), as: id, channel: id, ts }),
  z.object({ op: z.literal("react"), as: id, channel: id, ts, name: z.string().regex(/^[a-z0-9_+-]{1,100}$/) }),
  z.object({ op: z.literal("shortcut"), as: id, channel: id, ts }),
  z.object({ op: z.literal("action"), as: id, surface, loc: z.string().regex(/^\d+\.(?:\d+|a)$/), value: raw.optional(), values: values.default({}) }),
  z.object({ op: z.literal("submit"), as: id, view: id, values }),
  z.object({ op: z.literal("close"), as: id, view: id, all: z.boolean().default(false) }),
  z.object({ op: z.literal("home"), as: id }),
  z.object({ op: z.literal("dismiss"), as: id, ts }),
  z.object({ op: z.literal("person"), name: z.string().trim().min(1, "give the person a name").max(80) }),
]);

export interface WebOptions {
  port: number;
  fast: boolean;
  /** Where the assistant's questions go (AI_BASE_URL's host and path), when it is on. */
  assistant?: string;
  /** The bot's own public status page (status_page:), linked from the top bar. */
  statusPage?: string;
  /** The bot's insights page, linked from the top bar. */
  insights?: string;
}

export interface WebServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

function send(res: http.ServerResponse, status: number, type: string, body: string | Buffer, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": type, "cache-control": "no-store", "x-content-type-options": "nosniff", ...headers });
  res.end(body);
}

/** What the page shows for a person and a place (a channel, the App Home, a canvas, a file). */
export function fragments(session: Session, as: string, view: string, token = ""): Fragments & { people: { id: string; name: string }[]; version: number; view: string } {
  const ws = session.ws;
  let place = view;
  let shown: { pane: string; title: string; composer?: string; items?: Item[] } | undefined;
  const channel = (c: FakeConversation) => {
    const p = channelPane(ws, c, as);
    return { pane: p.head, items: p.items, title: p.title, composer: p.composer };
  };
  const [kind, ref = ""] = view.split(":");
  if (kind === "c") {
    const c = ws.conversations.get(ref);
    if (c && (!c.isPrivate || c.members.has(as))) shown = channel(c);
  } else if (kind === "home") shown = homePane(ws, as);
  else if (kind === "canvas") shown = canvasPane(ws, ref);
  else if (kind === "file") shown = filePane(ws, ref, `/files/${encodeURIComponent(ref)}?t=${encodeURIComponent(token)}`);
  if (!shown) {
    const general = ws.channelByName("general") ?? [...ws.conversations.values()].find((c) => !c.isIm);
    place = general ? `c:${general.id}` : "home";
    shown = general ? channel(general) : homePane(ws, as);
  }
  const open = ws.topModal(as);
  return {
    sidebar: sidebar(ws, as, place),
    pane: shown.pane,
    ...(shown.items ? { items: shown.items } : {}),
    title: shown.title,
    ...(shown.composer !== undefined ? { composer: shown.composer } : {}),
    ...modal(ws, open, open ? session.viewErrors.get(open.id) : undefined),
    people: session.people().map(person),
    version: session.version,
    view: place,
  };
}

function shell(token: string, fast: boolean, address: string, assistant: string | undefined, statusPage: string | undefined, insights: string | undefined): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Warroom playground</title>
<link rel="stylesheet" href="/assets/app.css">
<script type="module" src="/assets/app.js"></script>
</head>
<body data-token="${escapeHtml(token)}">
<header class="top">
  <div class="brand">⚑ Warroom <span>playground</span></div>
  ${
    assistant
      ? `<div class="local" title="The page, the bot and its stand-in for Slack all listen on 127.0.0.1; the assistant's questions go to AI_BASE_URL">🔒 Local (${escapeHtml(address)}), no Slack workspace involved; only the assistant's questions leave, to ${escapeHtml(assistant)}</div>`
      : `<div class="local" title="The page, the bot and its stand-in for Slack all listen on 127.0.0.1">🔒 Local only (${escapeHtml(address)}): nothing leaves this machine, no Slack workspace involved</div>`
  }
  ${statusPage ? `<a class="status-link" href="${escapeHtml(statusPage)}" target="_blank" rel="noopener" title="The public status page the bot serves (status_page: in the config); /incident statuspage publishes to it">Status page ↗</a>` : ""}
  ${insights ? `<a class="insights-link" href="${escapeHtml(insights)}" target="_blank" rel="noopener" title="The team's numbers, drawn; sign in with WARROOM_API_TOKEN, or the token the playground wrote to DATA_DIR/insights-token">Insights ↗</a>` : ""}
  ${fast ? '<div class="fast" title="--fast: every cadence and due time runs 60 times faster">⏩ 60× time</div>' : ""}
  <label class="acting">Acting as <select id="as" aria-label="Acting as"></select></label>
  <button type="button" id="add-person" class="bk-button">+ Person</button>
</header>
<div class="layout">
  <nav class="sidebar" id="sidebar" aria-label="Channels"></nav>
  <main class="main">
    <div class="pane" id="pane"></div>
    <form class="composer" id="composer" hidden>
      <textarea id="composer-text" rows="1" aria-label="Message" placeholder=""></textarea>
      <button type="submit" class="bk-button primary">Send</button>
      <div class="composer-hint">Enter sends · Shift+Enter for a new line · <code>/incident …</code> goes to the app, signed, as Slack sends it</div>
    </form>
  </main>
</div>
<div class="tools" id="tools" role="toolbar" aria-label="Message actions" hidden>
  <button type="button" data-tool="react" data-name="pushpin" title="React with :pushpin: (adds it to the incident timeline)">📌 React</button>
  <button type="button" data-tool="pin" title="Pin to this channel (adds it to the incident timeline)">Pin</button>
  <button type="button" data-tool="shortcut" title="The app's message shortcut">Add to incident timeline</button>
</div>
<div class="modal-layer" id="modal-layer" hidden></div>
<div class="toast" id="toast" role="status" hidden></div>
</body>
</html>`;
}

export async function startWeb(session: Session, opts: WebOptions): Promise<WebServer> {
  const token = randomBytes(24).toString("base64url");
  const assets = new Map<string, { type: string; body: Buffer }>();
  // the page's script is ES modules (app.js imports the others) and one style sheet
  const TYPES: Record<string, string> = { ".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8" };
  for (const name of fs.readdirSync(ASSETS)) {
    const type = TYPES[path.extname(name)];
    if (type) assets.set(`/assets/${name}`, { type, body: fs.readFileSync(path.join(ASSETS, name)) });
  }
  let address = "";
  const allowedHosts = new Set<string>();
  const streams = new Set<http.ServerResponse>();
  let pending: NodeJS.Timeout | undefined;
  session.onChange(() => {
    // changes come in bursts (one command is a dozen Web API calls): tell the page once per 100 ms
    pending ??= setTimeout(() => {
      pending = undefined;
      for (const s of streams) s.write(`data: ${session.version}\n\n`);
    }, 100);
  });

  const server = http.createServer((req, res) => {
    void route(req, res).catch((err: unknown) => {
      if (res.headersSent) res.destroy();
      else sendError(res, err instanceof HttpError ? err : new HttpError(500, "internal_error", (err as Error).message.slice(0, 300)));
    });
  });

  async function route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (!allowedHosts.has(req.headers.host ?? "")) {
      req.resume();
      throw new HttpError(421, "wrong_host", `The playground answers at ${address} only.`);
    }
    const url = new URL(req.url ?? "/", address);
    if (req.method === "GET" && url.pathname === "/") return send(res, 200, "text/html; charset=utf-8", shell(token, opts.fast, address, opts.assistant, opts.statusPage, opts.insights));
    const asset = assets.get(url.pathname);
    if (req.method === "GET" && asset) return send(res, 200, asset.type, asset.body);
    if (req.method === "GET" && url.pathname === "/favicon.ico") return send(res, 204, "text/plain", "");
    if (!authorized(req, token) && !sameSecret(url.searchParams.get("t") ?? "", token)) {
      req.resume();
      throw new HttpError(403, "forbidden", "This asks for the page's token: reload the playground's page.");
    }
    if (req.method === "GET" && url.pathname === "/ui") {
      const as = url.searchParams.get("as") ?? "";
      const people = session.people();
      const who = people.find((p) => p.id === as) ?? people[0];
      if (!who) throw new HttpError(409, "no_people", "The workspace has nobody in it.");
      return sendJson(res, 200, { ...fragments(session, who.id, url.searchParams.get("view") ?? "", token), as: who.id });
    }
    if (req.method === "GET" && url.pathname === "/ui/events") {
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-store", connection: "keep-alive" });
      res.write(`retry: 1000\ndata: ${session.version}\n\n`);
      streams.add(res);
      req.on("close", () => streams.delete(res));
      return;
    }
    const file = /^\/files\/([A-Z0-9]+)$/.exec(url.pathname);
    if (req.method === "GET" && file) {
      const f = session.ws.files.get(file[1] ?? "");
      if (!f) throw new HttpError(404, "file_not_found", "No such file in this workspace.");
      return send(res, 200, "text/plain; charset=utf-8", f.content ?? Buffer.alloc(0), { "content-disposition": `attachment; filename="${f.filename.replace(/[^\w.-]/g, "_")}"` });
    }
    if (req.method === "POST" && url.pathname === "/ui/do") {
      if (!(req.headers["content-type"] ?? "").startsWith("application/json")) {
        req.resume();
        throw new HttpError(415, "unsupported_media_type", "Send JSON (content-type: application/json).");
      }
      const parsed = request.safeParse(await readJson(req, MAX_BODY));
      if (!parsed.success) throw new HttpError(400, "invalid_request", firstIssue(parsed.error).message);
      let outcome: unknown;
      try {
        outcome = await perform(session, parsed.data);
      } catch (err) {
        throw new HttpError(409, "not_possible", (err as Error).message);
      }
      // what the person did is on disk before the page hears it was done (the app's own changes follow within 300 ms)
      session.save();
      return sendJson(res, 200, outcome);
    }
    req.resume();
    throw new HttpError(404, "not_found", `Nothing is served at ${url.pathname.slice(0, 100)}.`);
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  address = `http://127.0.0.1:${port}`;
  allowedHosts.add(`127.0.0.1:${port}`).add(`localhost:${port}`);
  return {
    url: address,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of streams) s.end();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function perform(session: Session, r: z.output<typeof request>): Promise<unknown> {
  switch (r.op) {
    case "command":
      return session.command(r.as, r.channel, r.text);
    case "message":
      return session.message(r.as, r.channel, r.text);
    case "pin":
      return session.pin(r.as, r.channel, r.ts);
    case "react":
      return session.react(r.as, r.channel, r.ts, r.name);
    case "shortcut":
      return session.shortcut(r.as, r.channel, r.ts, CALLBACK.addToTimeline);
    case "action":
      return session.action(r.as, r.surface, r.loc, r.value, r.values);
    case "submit":
      return session.submit(r.as, r.view, r.values);
    case "close":
      return session.close(r.as, r.view, r.all);
    case "home":
      return session.openHome(r.as);
    case "dismiss":
      session.dismiss(r.as, r.ts);
      return { ok: true };
    case "person": {
      const p = session.addPerson(r.name);
      return { ok: true, person: person(p) };
    }
  }
}
