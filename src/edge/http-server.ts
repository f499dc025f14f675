// The process's HTTP server: GET /healthz (200 when the database answers, else 503) and, in HTTP
// mode, POST /slack/events handed to Bolt's receiver (which verifies signatures and timestamps).
// A request whose timestamp is not within five minutes of now, either way, is refused first: Bolt
// refuses only old ones.

import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Clock } from "../clock.ts";
import type { Foreground } from "../foreground.ts";
import type { Logger } from "../log.ts";

export interface HttpServerOptions {
  port: number;
  /** The address to bind; unset: every interface. */
  host?: string;
  log: Logger;
  healthy: () => Promise<boolean>;
  /** Decides Slack's replay window. */
  replayClock: Clock;
  slackEvents?: (req: http.IncomingMessage, res: http.ServerResponse) => void;
  /** Events API deliveries (JSON bodies), recorded before they are acknowledged. */
  slackEventCallbacks?: (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>;
  /** The other doors (the HTTP API, webhooks in, metrics), each under its path prefix. */
  doors?: readonly Door[];
  /** Told how long each request took to be answered, by surface: slack, api, hooks. */
  answered?: (surface: "slack" | "api" | "hooks", seconds: number) => void;
  /** Told while a request of those surfaces is being answered, so background work waits (foreground.ts). */
  foreground?: Foreground;
}

export interface Door {
  /** "/api/" serves every path under it; "/metrics" only itself. */
  readonly prefix: string;
  handle(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void>;
}

export interface HttpServer {
  readonly port: number;
  close(): Promise<void>;
}

/** Slack's window: a request signed more than five minutes from now (past or future) is a replay. */
export const SLACK_TIMESTAMP_WINDOW_S = 300;

export function timestampInWindow(header: string | string[] | undefined, nowMs: number): boolean {
  if (typeof header !== "string" || !/^\d{1,12}$/.test(header)) return false;
  return Math.abs(nowMs / 1000 - Number(header)) <= SLACK_TIMESTAMP_WINDOW_S;
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" });
  res.end(JSON.stringify(body));
}

export async function startHttpServer(opts: HttpServerOptions): Promise<HttpServer> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    const surface = path === "/slack/events" ? "slack" : path?.startsWith("/api/") ? "api" : path?.startsWith("/hooks/") ? "hooks" : undefined;
    // a person (or an alert source) waits on these; the API's readers (dashboards polling) do not hold back the background
    if ((surface === "slack" || surface === "hooks") && opts.foreground) res.once("close", opts.foreground.enter());
    if (surface && opts.answered) {
      const started = performance.now();
      const answered = opts.answered;
      res.once("finish", () => answered(surface, (performance.now() - started) / 1000));
    }
    if (path === "/healthz" && (req.method === "GET" || req.method === "HEAD")) {
      opts.healthy().then(
        (ok) => json(res, ok ? 200 : 503, { status: ok ? "ok" : "database unavailable" }),
        () => json(res, 503, { status: "database unavailable" }),
      );
      return;
    }
    if (path === "/slack/events" && opts.slackEvents) {
      if (req.method !== "POST") {
        json(res, 405, { error: "POST only" });
        return;
      }
      if (!timestampInWindow(req.headers["x-slack-request-timestamp"], opts.replayClock.now().getTime())) {
        opts.log.warn({ timestamp: String(req.headers["x-slack-request-timestamp"] ?? "").slice(0, 20) }, "refused a request whose timestamp is missing or outside Slack's five-minute window");
        req.resume();
        json(res, 401, { error: "invalid timestamp" });
        return;
      }
      try {
        if (opts.slackEventCallbacks && (req.headers["content-type"] ?? "").includes("application/json")) {
          opts.slackEventCallbacks(req, res).catch((err: unknown) => {
            opts.log.error({ err }, "events request failed");
            if (!res.headersSent) json(res, 500, { error: "internal error" });
          });
          return;
        }
        opts.slackEvents(req, res);
      } catch (err) {
        opts.log.error({ err }, "Slack request handling failed");
        if (!res.headersSent) json(res, 500, { error: "internal error" });
      }
      return;
    }
    const door = opts.doors?.find((d) => (d.prefix.endsWith("/") ? path?.startsWith(d.prefix) : path === d.prefix));
    if (door) {
      const url = new URL(req.url ?? "/", "http://localhost");
      door.handle(req, res, url).catch((err: unknown) => {
        opts.log.error({ err, path }, "request failed");
        if (!res.headersSent) json(res, 500, { error: "internal_error", message: "Something went wrong; see the bot's log." });
        else res.destroy();
      });
      return;
    }
    req.resume();
    json(res, 404, { error: "not_found", message: `Nothing is served at ${String(path).slice(0, 100)}.` });
  });
  // Slack waits 3 s; nothing legitimate takes longer to send its request
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        // connections still busy get a moment to finish, then are cut
        setTimeout(() => server.closeAllConnections(), 2000).unref();
      }),
  };
}
