// The HTTP API (off unless WARROOM_API_TOKEN is set: then every /api/ path answers 404). Every request
// carries the token; queries and bodies are checked with zod at the door; a declaration is recorded
// before the 201, and an Idempotency-Key makes a retried request get the first answer.

import { createHash, randomUUID } from "node:crypto";
import type http from "node:http";
import { z } from "zod";
import { STATS_PERIODS } from "../../domain/record.ts";
import { findSeverity } from "../../domain/severity.ts";
import { oneLine, rawToSafe, stripControls } from "../../domain/text.ts";
import type { Ctx } from "../../incidents/context.ts";
import { declare } from "../../incidents/war-room/declare.ts";
import { incidentRecord, incidentSummary } from "../../incidents/numbers/record.ts";
import { checkPerson } from "../../incidents/war-room/roles.ts";
import { statsFor } from "../../incidents/numbers/stats.ts";
import { type Cursor, findByNumber, incidentPage, type IncidentFilter, storeAnswer, storedAnswer } from "../../store/api.ts";
import type { Door } from "../http-server.ts";
import { streamActionItemsCsv, streamIncidentsCsv } from "./csv.ts";
import { authorized, firstIssue, HttpError, parseQuery, readJson, sendError, sendJson } from "../http.ts";

const isoDate = (name: string) =>
  z
    .string()
    .refine((s) => !Number.isNaN(Date.parse(s)) && /^\d{4}-\d{2}-\d{2}/.test(s), { error: `must be an ISO-8601 date or time such as 2026-01-31 or 2026-01-31T14:00:00Z (${name})` })
    .transform((s) => new Date(s));

const filterQuery = {
  status: z.enum(["open", "resolved", "closed", "all"], { error: "must be open, resolved, closed or all" }).default("all"),
  since: isoDate("since").optional(),
  until: isoDate("until").optional(),
  drills: z.enum(["exclude", "include", "only"], { error: "must be exclude, include or only" }).default("exclude"),
};

const listQuery = z.strictObject({
  ...filterQuery,
  limit: z
    .string()
    .regex(/^\d+$/, "must be a whole number from 1 to 500")
    .transform(Number)
    .pipe(z.number().int().min(1, "must be from 1 to 500").max(500, "must be from 1 to 500"))
    .default(100),
  cursor: z.string().max(200).optional(),
});

const exportQuery = z.strictObject(filterQuery);

const statsQuery = z.strictObject({ period: z.enum(STATS_PERIODS as unknown as [string, ...string[]], { error: "must be 7d, 30d, 90d or all" }).default("30d") });

const declareBody = z.strictObject({
  title: z.string({ error: "expected a title (text)" }).transform((t) => oneLine(stripControls(t))).pipe(z.string().min(1, "must not be empty").max(200, "must be at most 200 characters")),
  severity: z.string({ error: "expected a severity such as SEV2" }).min(1).max(40),
  private: z.boolean({ error: "expected true or false" }).default(false),
  drill: z.boolean({ error: "expected true or false" }).default(false),
  commander: z.string({ error: "expected a Slack user id such as U0123ABCD" }).regex(/^[UW][A-Z0-9]{2,}$/, "expected a Slack user id such as U0123ABCD").optional(),
  summary: z.string({ error: "expected text" }).max(3000, "must be at most 3000 characters").optional(),
});

function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify({ t: c.at.toISOString(), i: c.id })).toString("base64url");
}

function decodeCursor(raw: string): Cursor {
  try {
    const v = z.object({ t: z.iso.datetime(), i: z.uuid() }).parse(JSON.parse(Buffer.from(raw, "base64url").toString("utf8")));
    return { at: new Date(v.t), id: v.i };
  } catch {
    throw new HttpError(400, "bad_request", 'The query parameter "cursor" is not one this API gave.', { parameter: "cursor" });
  }
}

function filterOf(q: { status: IncidentFilter["status"]; since?: Date | undefined; until?: Date | undefined; drills: IncidentFilter["drills"] }): IncidentFilter {
  return { status: q.status, since: q.since, until: q.until, drills: q.drills };
}

/** `12` or `INC-12`. */
function numberOf(ref: string): number | undefined {
  const m = /^(?:INC-)?(\d{1,9})$/i.exec(decodeURIComponent(ref));
  return m ? Number(m[1]) : undefined;
}

async function declareIncident(ctx: Ctx, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const key = req.headers["idempotency-key"];
  if (Array.isArray(key) || (typeof key === "string" && (key.length === 0 || key.length > 255))) throw new HttpError(400, "bad_request", "Idempotency-Key must be one value of 1 to 255 characters.");
  const raw = await readJson(req);
  const fingerprint = createHash("sha256").update(`POST /api/v1/incidents ${JSON.stringify(raw)}`).digest("hex");
  if (key) {
    const stored = await storedAnswer(ctx.db, `declare:${key}`);
    if (stored) {
      if (stored.fingerprint !== fingerprint) throw new HttpError(422, "idempotency_key_reused", "This Idempotency-Key was used with a different request.", { field: "Idempotency-Key" });
      sendJson(res, stored.status, stored.body, { "idempotent-replayed": "true" });
      return;
    }
  }
  const parsed = declareBody.safeParse(raw);
  if (!parsed.success) {
    const { field, message } = firstIssue(parsed.error);
    throw new HttpError(422, "invalid_request", message, { field });
  }
  const body = parsed.data;
  const severity = findSeverity(ctx.config.incident.severities, body.severity);
  if (!severity) throw new HttpError(422, "invalid_request", `severity: "${body.severity}" is not one of ${ctx.config.incident.severities.map((s) => s.id).join(", ")}`, { field: "severity" });
  if (body.commander) {
    const person = await checkPerson(ctx, body.commander);
    if (!person.ok) throw new HttpError(422, "invalid_request", `commander: ${person.reason.replace(/<@([^>|]+)[^>]*>/g, "$1")}`, { field: "commander" });
  }
  const result = await declare(ctx, {
    teamId: ctx.bot.teamId,
    userId: ctx.bot.userId,
    icId: body.commander ?? null,
    title: body.title,
    severity: severity.id,
    isPrivate: body.private,
    isDrill: body.drill,
    ...(body.summary ? { statusSummary: rawToSafe(body.summary) } : {}),
    // one key, one incident: a retry after a lost answer finds the incident it made
    declareKey: `api:${key ?? randomUUID()}`,
  });
  const record = await incidentRecord(ctx, result.incident);
  if (!key) {
    sendJson(res, 201, record);
    return;
  }
  const kept = await storeAnswer(ctx.db, `declare:${key}`, fingerprint, 201, record);
  sendJson(res, kept.status, kept.body);
}

export function apiDoor(ctx: Ctx, token: string | undefined): Door {
  return {
    prefix: "/api/",
    async handle(req, res, url) {
      try {
        if (!token) throw new HttpError(404, "not_found", "The HTTP API is off: set WARROOM_API_TOKEN to turn it on.");
        if (!authorized(req, token)) {
          req.resume();
          throw new HttpError(401, "unauthorized", "unauthorized");
        }
        const path = url.pathname.replace(/\/+$/, "");
        const method = req.method ?? "GET";
        const only = (allowed: string) => {
          if (method !== allowed && !(allowed === "GET" && method === "HEAD")) throw new HttpError(405, "method_not_allowed", `${path} answers ${allowed} only.`);
        };
        if (path === "/api/v1/incidents") {
          if (method === "POST") return await declareIncident(ctx, req, res);
          only("GET");
          const q = parseQuery(url, listQuery);
          const page = await incidentPage(ctx.db, ctx.bot.teamId, filterOf(q), q.limit, q.cursor ? decodeCursor(q.cursor) : undefined);
          sendJson(res, 200, { incidents: page.incidents.map((i) => incidentSummary(i, ctx.bot.userId)), next_cursor: page.next ? encodeCursor(page.next) : null });
          return;
        }
        if (path === "/api/v1/incidents.csv") {
          only("GET");
          await streamIncidentsCsv(ctx, res, filterOf(parseQuery(url, exportQuery)));
          return;
        }
        if (path === "/api/v1/action-items.csv") {
          only("GET");
          await streamActionItemsCsv(ctx, res, filterOf(parseQuery(url, exportQuery)));
          return;
        }
        if (path === "/api/v1/stats") {
          only("GET");
          const q = parseQuery(url, statsQuery);
          const report = await statsFor(ctx, q.period as (typeof STATS_PERIODS)[number]);
          sendJson(res, 200, { period: q.period, since: report.since?.toISOString() ?? null, until: report.until.toISOString(), ...report.stats, punctuality: { ...report.stats.punctuality, ratio: report.stats.punctuality.kept + report.stats.punctuality.missed === 0 ? null : report.stats.punctuality.kept / (report.stats.punctuality.kept + report.stats.punctuality.missed) } });
          return;
        }
        const one = /^\/api\/v1\/incidents\/([^/]+)$/.exec(path);
        if (one) {
          only("GET");
          parseQuery(url, z.strictObject({}));
          const number = numberOf(one[1] as string);
          const incident = number === undefined ? undefined : await findByNumber(ctx.db, ctx.bot.teamId, number);
          if (!incident) throw new HttpError(404, "not_found", `There is no incident ${decodeURIComponent(one[1] as string).slice(0, 40)}.`);
          sendJson(res, 200, await incidentRecord(ctx, incident));
          return;
        }
        throw new HttpError(404, "not_found", `Nothing is served at ${path.slice(0, 100)}.`);
      } catch (err) {
        if (!(err instanceof HttpError)) throw err;
        req.resume();
        if (res.headersSent) res.destroy();
        else sendError(res, err);
      }
    },
  };
}
