// GET /status and everything under it: the public status page, for anyone (no sign-in: it is what
// customers read). Served from what was rendered at the last change, with an ETag (If-None-Match →
// 304), Cache-Control, and a Content-Security-Policy that allows nothing from elsewhere and no
// script. Only GET and HEAD; a request body is never read (drained, up to 64 KB, then cut). Errors
// are answered as every door answers them ({"error", "message"}), pages as a short HTML page.
// Not registered at all without `status_page:` (every /status path is then 404).

import type http from "node:http";
import { z } from "zod";
import { PAGE_CSP } from "../../pages/status/render.ts";
import type { DocName, PageDocument, StatusSite } from "../../pages/status/site.ts";
import type { Door } from "../http-server.ts";
import { HttpError, sendError } from "../http.ts";

const JSON_DOCS: Readonly<Record<string, DocName | undefined>> = {
  "/status/api/v2/status.json": "json:status",
  "/status/api/v2/summary.json": "json:summary",
  "/status/api/v2/components.json": "json:components",
  "/status/api/v2/incidents.json": "json:incidents",
  "/status/api/v2/incidents/unresolved.json": "json:unresolved",
  "/status/api/v2/scheduled-maintenances.json": "json:scheduled",
};

const INCIDENT_PATH = /^\/status\/incidents\/([a-z0-9]{12})$/;
const historyQuery = z.object({
  page: z.coerce
    .number({ error: "must be a page number such as 2" })
    .int("must be a whole page number such as 2")
    .min(1, "must be 1 or more")
    .max(100_000, "is past the last page")
    .default(1),
});

/** Browsers and proxies keep a page a few seconds, then ask again (and usually hear 304). */
const CACHE_CONTROL = "public, max-age=10, must-revalidate";
const BODY_DRAIN_MAX = 64 * 1024;

function drain(req: http.IncomingMessage): void {
  let seen = 0;
  req.on("data", (chunk: Buffer) => {
    seen += chunk.length;
    if (seen > BODY_DRAIN_MAX) req.destroy();
  });
  req.resume();
}

/** Whether If-None-Match names this ETag (a list, weak or strong, or *). */
export function matches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === "*") return true;
  return header.split(",").some((t) => t.trim().replace(/^W\//, "") === etag);
}

function send(req: http.IncomingMessage, res: http.ServerResponse, d: PageDocument, status = 200): void {
  const headers: Record<string, string> = {
    etag: d.etag,
    "cache-control": CACHE_CONTROL,
    "content-security-policy": PAGE_CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cross-origin-resource-policy": "cross-origin",
  };
  // the JSON is read by widgets on other sites, as Statuspage's is
  if (d.type.startsWith("application/json")) headers["access-control-allow-origin"] = "*";
  if (status === 200 && matches(req.headers["if-none-match"], d.etag)) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  res.writeHead(status, { ...headers, "content-type": d.type, "content-length": String(d.body.length) });
  res.end(req.method === "HEAD" ? undefined : d.body);
}

function notFound(res: http.ServerResponse, what: string): void {
  sendError(res, new HttpError(404, "not_found", what));
}

export function statusDoors(site: StatusSite): Door[] {
  const handle = async (req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> => {
    drain(req);
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.setHeader("allow", "GET, HEAD");
      sendError(res, new HttpError(405, "method_not_allowed", "The status page is read with GET."));
      return;
    }
    const path = url.pathname.replace(/\/+$/, "") || "/";
    if (path === "/status") {
      send(req, res, await site.get("home"));
      return;
    }
    if (path === "/status/feed.atom") {
      send(req, res, await site.get("feed"));
      return;
    }
    const json = JSON_DOCS[path];
    if (json) {
      send(req, res, await site.get(json));
      return;
    }
    if (path === "/status/history") {
      const q = historyQuery.safeParse({ page: url.searchParams.get("page") ?? undefined });
      if (!q.success) {
        sendError(res, new HttpError(400, "bad_request", `The query parameter "page" ${q.error.issues[0]?.message ?? "is invalid"}.`, { parameter: "page" }));
        return;
      }
      const h = await site.history(q.data.page);
      if (!h.doc) {
        notFound(res, `The history has ${h.pages} page${h.pages === 1 ? "" : "s"}; there is no page ${q.data.page}.`);
        return;
      }
      send(req, res, h.doc);
      return;
    }
    const m = INCIDENT_PATH.exec(path);
    if (m) {
      const d = await site.incident(m[1] as string);
      if (!d) {
        notFound(res, "There is no such incident on this status page.");
        return;
      }
      send(req, res, d);
      return;
    }
    notFound(res, `Nothing is served at ${path.slice(0, 100)}.`);
  };
  return [
    { prefix: "/status", handle },
    { prefix: "/status/", handle },
  ];
}
