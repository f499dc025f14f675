// GET /insights: the team's numbers, drawn, behind a sign-in with WARROOM_API_TOKEN (404 while it is
// unset). A browser signs in with a form (POST /insights/signin, the token compared in constant time,
// failures limited per address) and gets a cookie holding a signed, expiring session value — an
// expiry and its HMAC under a key derived from the token, never the token itself, so changing the
// token signs everyone out — HttpOnly, SameSite=Strict, Path=/insights, Secure when the request came
// over HTTPS (directly, or as X-Forwarded-Proto says). A bearer token works too. POST
// /insights/signout clears it. Filters are checked with zod: a bad one is a 400 saying why, never a 500.

import { createHmac } from "node:crypto";
import type http from "node:http";
import type { TLSSocket } from "node:tls";
import { z } from "zod";
import type { Ctx } from "../../incidents/context.ts";
import { INSIGHT_RANGES, insightsFor, type InsightFilter } from "../../incidents/numbers/insights.ts";
import { INSIGHTS_CSP, renderInsights, renderSignin, SECTION_IDS, sectionCsv, sections, summaryCsv } from "../../pages/insights/render.ts";
import type { Door } from "../http-server.ts";
import { authorized, HttpError, parseQuery, readBody, sameSecret, sendError } from "../http.ts";

export const SESSION_COOKIE = "warroom_insights";
/** How long a sign-in lasts. */
export const SESSION_S = 12 * 3600;
/** Failed sign-ins an address may make in a window, before it waits. */
export const SIGNIN_FAILURES = 5;
export const SIGNIN_WINDOW_MS = 10 * 60_000;
const SIGNIN_BODY_MAX = 4 * 1024;

const sessionKey = (token: string) => createHmac("sha256", token).update("warroom insights session v1").digest();
const sign = (key: Buffer, exp: number) => createHmac("sha256", key).update(`insights:${exp}`).digest("base64url");

/** A session value: its expiry (Unix seconds) and the expiry's signature. */
export function sessionValue(token: string, expiresAt: number): string {
  return `${expiresAt}.${sign(sessionKey(token), expiresAt)}`;
}

/** Whether a cookie's session value is ours and not expired. */
export function validSession(value: string | undefined, token: string, nowMs: number): boolean {
  const m = /^(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(value ?? "");
  if (!m) return false;
  const exp = Number(m[1]);
  if (exp * 1000 <= nowMs) return false;
  return sameSecret(m[2] as string, sign(sessionKey(token), exp));
}

function cookie(req: http.IncomingMessage, name: string): string | undefined {
  const header = req.headers.cookie ?? "";
  for (const part of header.split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === name) return v.join("=");
  }
  return undefined;
}

function overHttps(req: http.IncomingMessage): boolean {
  const proto = req.headers["x-forwarded-proto"];
  return Boolean((req.socket as Partial<TLSSocket>).encrypted) || (typeof proto === "string" && proto.split(",")[0]?.trim() === "https");
}

const filterQuery = (ctx: Ctx) =>
  z.strictObject({
    range: z.enum(INSIGHT_RANGES.map(String) as [string, ...string[]], { error: "must be 30, 90 or 365 (days)" }).default("90"),
    severity: z
      .string()
      .optional()
      .transform((s) => (s === "" ? undefined : s))
      .refine((s) => s === undefined || ctx.config.incident.severities.some((x) => x.id === s), { error: `must be one of ${ctx.config.incident.severities.map((s) => s.id).join(", ")} (or left out for all)` }),
    drills: z.enum(["exclude", "only"], { error: "must be exclude (the team's incidents) or only (the drills, on their own)" }).default("exclude"),
  });

function filterOf(ctx: Ctx, url: URL): InsightFilter {
  const q = parseQuery(url, filterQuery(ctx));
  return { range: Number(q.range) as InsightFilter["range"], severity: q.severity, drills: q.drills };
}

const HTML_HEADERS = { "content-type": "text/html; charset=utf-8", "cache-control": "no-store", "content-security-policy": INSIGHTS_CSP, "x-content-type-options": "nosniff", "referrer-policy": "no-referrer", "x-frame-options": "DENY" };

function page(res: http.ServerResponse, status: number, html: string, headers: Record<string, string | string[]> = {}): void {
  res.writeHead(status, { ...HTML_HEADERS, ...headers });
  res.end(html);
}

function sendCsv(res: http.ServerResponse, name: string, csv: string): void {
  res.writeHead(200, { "content-type": "text/csv; charset=utf-8", "content-disposition": `attachment; filename="insights-${name}.csv"`, "cache-control": "no-store", "x-content-type-options": "nosniff" });
  res.end(csv);
}

/** Failed sign-ins per address, forgotten after the window. */
class SigninLimiter {
  private readonly failures = new Map<string, number[]>();
  constructor(private readonly now: () => number) {}
  /** Milliseconds until `who` may try again; 0: now. */
  wait(who: string): number {
    const t = this.now();
    const recent = (this.failures.get(who) ?? []).filter((at) => t - at < SIGNIN_WINDOW_MS);
    if (recent.length === 0) this.failures.delete(who);
    else this.failures.set(who, recent);
    return recent.length >= SIGNIN_FAILURES ? SIGNIN_WINDOW_MS - (t - (recent[0] as number)) : 0;
  }
  failed(who: string): void {
    // bounded: an address flood forgets the oldest
    if (this.failures.size > 10_000) this.failures.delete(this.failures.keys().next().value as string);
    this.failures.set(who, [...(this.failures.get(who) ?? []), this.now()]);
  }
  succeeded(who: string): void {
    this.failures.delete(who);
  }
}

/** The insights doors; none while the token is unset (every /insights path is then the server's 404). */
export function insightsDoors(ctx: Ctx, token: string | undefined): Door[] {
  if (token === undefined) return [];
  const limiter = new SigninLimiter(() => ctx.clock.now().getTime());
  const handle = async (req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> => {
    const path = url.pathname.replace(/\/+$/, "") || "/";
    if (path === "/insights/signin") {
      if (req.method === "GET" || req.method === "HEAD") {
        req.resume();
        page(res, 200, await renderSignin());
        return;
      }
      if (req.method !== "POST") throw new HttpError(405, "method_not_allowed", "GET or POST /insights/signin.");
      const who = req.socket.remoteAddress ?? "unknown";
      const wait = limiter.wait(who);
      if (wait > 0) {
        req.resume();
        ctx.log.warn({ address: who }, "refused an insights sign-in: too many failed attempts from this address");
        page(res, 429, await renderSignin(`Too many wrong tokens from this address. Try again in ${Math.ceil(wait / 60_000)} minutes.`), { "retry-after": String(Math.ceil(wait / 1000)) });
        return;
      }
      const body = await readBody(req, SIGNIN_BODY_MAX);
      const form = z.object({ token: z.string().min(1).max(512) }).safeParse(Object.fromEntries(new URLSearchParams(body.toString("utf8"))));
      if (!form.success || !sameSecret(form.data.token, token)) {
        limiter.failed(who);
        ctx.log.warn({ address: who }, "an insights sign-in with a wrong token");
        page(res, 401, await renderSignin(form.success ? "That is not the API token." : "Type the API token."));
        return;
      }
      limiter.succeeded(who);
      const exp = Math.floor(ctx.clock.now().getTime() / 1000) + SESSION_S;
      const attrs = `Path=/insights; Max-Age=${SESSION_S}; HttpOnly; SameSite=Strict${overHttps(req) ? "; Secure" : ""}`;
      ctx.log.info({ address: who }, "signed in to insights");
      res.writeHead(303, { location: "/insights", "set-cookie": `${SESSION_COOKIE}=${sessionValue(token, exp)}; ${attrs}`, "cache-control": "no-store" });
      res.end();
      return;
    }
    if (path === "/insights/signout") {
      req.resume();
      if (req.method !== "POST") throw new HttpError(405, "method_not_allowed", "POST /insights/signout.");
      res.writeHead(303, { location: "/insights/signin", "set-cookie": `${SESSION_COOKIE}=; Path=/insights; Max-Age=0; HttpOnly; SameSite=Strict${overHttps(req) ? "; Secure" : ""}`, "cache-control": "no-store" });
      res.end();
      return;
    }
    req.resume();
    const signedIn = validSession(cookie(req, SESSION_COOKIE), token, ctx.clock.now().getTime()) || authorized(req, token);
    if (!signedIn) {
      if (req.headers.authorization === undefined && (req.headers.accept ?? "").includes("text/html")) {
        res.writeHead(303, { location: "/insights/signin", "cache-control": "no-store" });
        res.end();
        return;
      }
      res.setHeader("www-authenticate", 'Bearer realm="warroom-insights"');
      throw new HttpError(401, "unauthorized", "unauthorized");
    }
    if (req.method !== "GET" && req.method !== "HEAD") throw new HttpError(405, "method_not_allowed", "The insights are read with GET.");
    if (path === "/insights") {
      const report = await insightsFor(ctx, filterOf(ctx, url));
      page(res, 200, await renderInsights(report));
      return;
    }
    const csv = /^\/insights\/([a-z-]+)\.csv$/.exec(path);
    const id = csv?.[1];
    if (id === "summary") {
      const report = await insightsFor(ctx, filterOf(ctx, url));
      sendCsv(res, id, summaryCsv(report));
      return;
    }
    if (id && (SECTION_IDS as readonly string[]).includes(id)) {
      const report = await insightsFor(ctx, filterOf(ctx, url));
      const section = sections(report).find((s) => s.id === id);
      sendCsv(res, id, section ? sectionCsv(section) : "");
      return;
    }
    throw new HttpError(404, "not_found", `Nothing is served at ${path.slice(0, 100)}.`);
  };
  const guarded = async (req: http.IncomingMessage, res: http.ServerResponse, url: URL) => {
    try {
      await handle(req, res, url);
    } catch (err) {
      if (!(err instanceof HttpError)) throw err;
      if (!res.headersSent) sendError(res, err);
    }
  };
  return [
    { prefix: "/insights", handle: guarded },
    { prefix: "/insights/", handle: guarded },
  ];
}
