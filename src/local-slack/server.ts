// A fake of the Slack Web API over real HTTP on loopback, for end-to-end tests: the bot's WebClient
// is pointed at it through SLACK_API_URL. It answers like Slack (HTTP 200 with ok:false and Slack's
// error codes, 429 with Retry-After), keeps the workspace in memory, records every call, lets a test
// inject faults, hosts response_url and upload URLs, and serves Socket Mode over a WebSocket.

import http from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { WebSocket, WebSocketServer } from "ws";
import { type Args, conversationMethods, type Handler, SlackFail } from "./methods-conversations.ts";
import { messageMethods } from "./methods-messages.ts";
import { RateLimits } from "./rate-limits.ts";
import { newId, Workspace } from "./workspace.ts";

export interface Call {
  method: string;
  args: Args;
  /** When the request arrived. */
  startedAt: number;
  /** When it was answered. */
  at: number;
  status: number;
  response: Record<string, unknown>;
}

export interface Fault {
  /** ok:false with this error code (HTTP 200). */
  error?: string;
  /** An HTTP status instead (429 comes with Retry-After). */
  status?: number;
  retryAfter?: number;
  /** Delay before answering (with the normal answer unless error/status is set). */
  delayMs?: number;
  /** Accept the request and never answer (a timeout). */
  hang?: boolean;
  /** Do what was asked, then cut the connection instead of answering (Slack acted; the answer was lost). */
  dropResponse?: boolean;
  /** Do what was asked, then wait this long before answering (Slack acted; its answer is slow). */
  answerDelayMs?: number;
  /** How many calls it applies to (default 1). */
  times?: number;
  /** Only calls whose arguments (and method, for a fault on "*") match. */
  match?: (args: Args, method: string) => boolean;
}

export interface ResponseUrlPost {
  id: string;
  body: Record<string, unknown>;
  at: number;
}

const HANDLERS: Record<string, Handler> = { ...conversationMethods, ...messageMethods };

// arguments that WebClient sends JSON-encoded inside a form body
const JSON_ARGS = new Set(["blocks", "attachments", "view", "metadata", "changes", "document_content", "files", "title_content"]);

function parseForm(body: string): Args {
  const args: Args = {};
  for (const [k, v] of new URLSearchParams(body)) {
    if (JSON_ARGS.has(k)) {
      try {
        args[k] = JSON.parse(v);
        continue;
      } catch {
        // left as the string; the handler reports the format error
      }
    }
    args[k] = v;
  }
  return args;
}

async function readBody(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

export class FakeSlack {
  readonly ws: Workspace;
  readonly calls: Call[] = [];
  readonly responses: ResponseUrlPost[] = [];
  /** Keep every call and response_url post (tests read them); the playground, running for hours, does not. */
  record = true;
  botToken = "xoxb-test-token";
  appToken = "xapp-test-token";
  /** Added to every Web API answer (stands in for the network in benchmarks). */
  latencyMs = 0;
  /** Enforce Slack's published rate limits (rate-limits.ts): a call over them gets 429 with Retry-After. */
  rateLimits: RateLimits | undefined;
  private faults: { method: string; fault: Fault; left: number }[] = [];
  private listeners: ((call: Call) => void)[] = [];
  private responseListeners: ((post: ResponseUrlPost) => void)[] = [];
  private server = http.createServer((req, res) => void this.route(req, res));
  private wss = new WebSocketServer({ noServer: true });
  private sockets = new Set<WebSocket>();
  private pendingAcks = new Map<string, (payload: unknown) => void>();
  private hung = new Set<http.ServerResponse>();
  private requestStarted = new WeakMap<http.ServerResponse, number>();
  baseUrl = "";

  constructor(ws: Workspace = new Workspace()) {
    this.ws = ws;
  }

  /** Listens on loopback: port 0 picks a free one. */
  async start(listenPort = 0): Promise<this> {
    this.server.on("upgrade", (req, socket, head) => {
      if (!req.url?.startsWith("/socket")) {
        socket.destroy();
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (client) => this.onSocket(client));
    });
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(listenPort, "127.0.0.1", resolve);
    });
    const { port } = this.server.address() as AddressInfo;
    this.baseUrl = `http://127.0.0.1:${port}/`;
    return this;
  }

  get apiUrl(): string {
    return `${this.baseUrl}api/`;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.terminate();
    for (const r of this.hung) r.destroy();
    this.wss.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---------- test controls ----------

  /** Makes the next calls of `method` ("*": of any method) misbehave. */
  fail(method: string, fault: Fault): void {
    this.faults.push({ method, fault, left: fault.times ?? 1 });
  }

  clearFaults(): void {
    this.faults = [];
  }

  /** From now on, calls over Slack's published rate limits are answered 429 (rate-limits.ts). */
  enforceRateLimits(): void {
    this.rateLimits = new RateLimits();
  }

  /** Runs after each Web API answer has been written (e.g. to kill the bot at that point). */
  onCall(listener: (call: Call) => void): () => void {
    this.listeners.push(listener);
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  /** Runs for each post to a response_url (the playground shows it where Slack would). */
  onResponse(listener: (post: ResponseUrlPost) => void): void {
    this.responseListeners.push(listener);
  }

  callsTo(method: string): Call[] {
    return this.calls.filter((c) => c.method === method);
  }

  okCallsTo(method: string): Call[] {
    return this.callsTo(method).filter((c) => c.status === 200 && c.response.ok === true);
  }

  /** A response_url for an interaction payload; posts to it are kept in `responses`. */
  responseUrl(): string {
    return `${this.baseUrl}respond/${newId("R")}`;
  }

  responsesTo(url: string): ResponseUrlPost[] {
    const id = url.split("/").pop();
    return this.responses.filter((r) => r.id === id);
  }

  // ---------- Socket Mode ----------

  get socketConnected(): boolean {
    return [...this.sockets].some((s) => s.readyState === WebSocket.OPEN);
  }

  /** Sends an envelope to the connected app and resolves with its ack payload. */
  async sendEnvelope(type: "slash_commands" | "interactive" | "events_api", payload: unknown, timeoutMs = 5000): Promise<unknown> {
    const socket = [...this.sockets].find((s) => s.readyState === WebSocket.OPEN);
    if (!socket) throw new Error("no Socket Mode connection");
    const envelopeId = `${newId("E")}-${Date.now()}`;
    const acked = new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ack for envelope ${envelopeId}`)), timeoutMs);
      this.pendingAcks.set(envelopeId, (p) => {
        clearTimeout(timer);
        resolve(p);
      });
    });
    socket.send(
      JSON.stringify({
        envelope_id: envelopeId,
        type,
        payload,
        accepts_response_payload: type !== "events_api",
        ...(type === "events_api" ? { retry_attempt: 0, retry_reason: "" } : {}),
      }),
    );
    return acked;
  }

  private onSocket(client: WebSocket): void {
    this.sockets.add(client);
    client.on("close", () => this.sockets.delete(client));
    client.on("message", (data: Buffer) => {
      try {
        const msg = JSON.parse(data.toString("utf8")) as { envelope_id?: string; payload?: unknown };
        if (msg.envelope_id) this.pendingAcks.get(msg.envelope_id)?.(msg.payload);
      } catch {
        // not an ack
      }
    });
    client.send(
      JSON.stringify({
        type: "hello",
        num_connections: this.sockets.size,
        debug_info: { host: "fake-slack", approximate_connection_time: 18060 },
        connection_info: { app_id: this.ws.appId },
      }),
    );
  }

  // ---------- HTTP ----------

  private async route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", this.baseUrl || "http://127.0.0.1/");
    const body = await readBody(req);
    if (url.pathname.startsWith("/api/") && req.method === "POST") return this.api(url.pathname.slice(5), req, body, res);
    if (url.pathname.startsWith("/respond/") && req.method === "POST") {
      let parsed: Record<string, unknown>;
      try {
        parsed = JSON.parse(body.toString("utf8") || "{}") as Record<string, unknown>;
      } catch {
        res.writeHead(400, { "content-type": "text/plain" }).end("invalid_payload");
        return;
      }
      const post = { id: url.pathname.slice(9), body: parsed, at: Date.now() };
      if (this.record) this.responses.push(post);
      for (const l of this.responseListeners) l(post);
      res.writeHead(200, { "content-type": "text/plain" }).end("ok");
      return;
    }
    if (url.pathname.startsWith("/upload/") && req.method === "POST") {
      const file = this.ws.files.get(url.pathname.slice(8));
      if (!file) {
        res.writeHead(404).end();
        return;
      }
      // WebClient sends the file as multipart form data, in a field named "body"
      const type = req.headers["content-type"] ?? "";
      if (type.startsWith("multipart/form-data")) {
        const form = await new Request("http://upload.local/", { method: "POST", headers: { "content-type": type }, body }).formData();
        const part = form.get("body") ?? form.get("file");
        file.content = part instanceof Blob ? Buffer.from(await part.arrayBuffer()) : Buffer.from(part ?? "");
      } else {
        file.content = body;
      }
      res.writeHead(200, { "content-type": "text/plain" }).end(`OK - ${file.content.length}`);
      return;
    }
    res.writeHead(404).end();
  }

  private parseArgs(req: http.IncomingMessage, body: Buffer): Args {
    const type = req.headers["content-type"] ?? "";
    const text = body.toString("utf8");
    if (type.includes("application/json")) return text ? (JSON.parse(text) as Args) : {};
    return parseForm(text);
  }

  private takeFault(method: string, args: Args): Fault | undefined {
    const entry = this.faults.find((f) => (f.method === method || f.method === "*") && f.left > 0 && (f.fault.match?.(args, method) ?? true));
    if (!entry) return undefined;
    entry.left -= 1;
    if (entry.left === 0) this.faults = this.faults.filter((f) => f !== entry);
    return entry.fault;
  }

  private async api(method: string, req: http.IncomingMessage, body: Buffer, res: http.ServerResponse): Promise<void> {
    this.requestStarted.set(res, Date.now());
    let args: Args;
    try {
      args = this.parseArgs(req, body);
    } catch {
      return this.answer(res, method, {}, 200, { ok: false, error: "invalid_json" });
    }
    const bearer = (req.headers.authorization ?? "").replace(/^Bearer\s+/i, "") || (typeof args.token === "string" ? args.token : "");
    delete args.token;
    if (this.latencyMs > 0) await sleep(this.latencyMs);

    const fault = this.takeFault(method, args);
    if (fault?.hang) {
      this.hung.add(res);
      return;
    }
    if (fault?.delayMs) await sleep(fault.delayMs);
    if (fault?.status === 429) {
      const headers = { "retry-after": String(fault.retryAfter ?? 1) };
      return this.answer(res, method, args, 429, { ok: false, error: "ratelimited" }, headers);
    }
    if (fault?.status) return this.answer(res, method, args, fault.status, { ok: false, error: "fake_http_error" });
    if (fault?.error) return this.answer(res, method, args, 200, { ok: false, error: fault.error });

    const wantsApp = method === "apps.connections.open";
    if (bearer !== (wantsApp ? this.appToken : this.botToken)) {
      return this.answer(res, method, args, 200, { ok: false, error: wantsApp && bearer.startsWith("xoxb-") ? "not_allowed_token_type" : "invalid_auth" });
    }
    if (wantsApp) {
      return this.answer(res, method, args, 200, { ok: true, url: `${this.baseUrl.replace(/^http/, "ws")}socket?ticket=${newId("T")}` });
    }
    const handler = HANDLERS[method];
    if (!handler) return this.answer(res, method, args, 200, { ok: false, error: "unknown_method" });
    const wait = this.rateLimits?.check(method, args);
    if (wait !== undefined) return this.answer(res, method, args, 429, { ok: false, error: "ratelimited" }, { "retry-after": String(wait) });
    try {
      const out = handler(this.ws, args);
      if (fault?.dropResponse) {
        this.calls.push({ method, args, startedAt: this.requestStarted.get(res) ?? Date.now(), at: Date.now(), status: 0, response: { ok: true, dropped: true, ...out } });
        res.socket?.destroy();
        return;
      }
      if (fault?.answerDelayMs) await sleep(fault.answerDelayMs);
      const response: Record<string, unknown> = { ok: true, ...out };
      if (typeof response.upload_url === "string") response.upload_url = response.upload_url.replace("{{base}}", this.baseUrl);
      return this.answer(res, method, args, 200, response);
    } catch (err) {
      if (err instanceof SlackFail) return this.answer(res, method, args, 200, { ok: false, error: err.error, ...err.extra });
      throw err;
    }
  }

  private answer(
    res: http.ServerResponse,
    method: string,
    args: Args,
    status: number,
    response: Record<string, unknown>,
    headers: Record<string, string> = {},
  ): void {
    const now = Date.now();
    const call: Call = { method, args, startedAt: this.requestStarted.get(res) ?? now, at: now, status, response };
    if (this.record) this.calls.push(call);
    res.on("finish", () => {
      for (const l of this.listeners) l(call);
    });
    res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
    res.end(JSON.stringify(response));
  }
}

export async function startFakeSlack(): Promise<FakeSlack> {
  return new FakeSlack().start();
}
