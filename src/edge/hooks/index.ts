// The webhooks in: POST /hooks/alertmanager (Alertmanager and Grafana, `Authorization: Bearer
// <WARROOM_ALERTS_TOKEN>`) and POST /hooks/pagerduty (PagerDuty V3, signed with
// PAGERDUTY_WEBHOOK_SECRET). Each door is closed (404) until its secret is set; a wrong or missing
// credential is a 401; a body over 1 MB is a 413 before anything is parsed; a malformed one a 400
// naming what is wrong. A notification is recorded (one INSERT) before the 200.

import { createHash } from "node:crypto";
import type http from "node:http";
import type { Ctx } from "../../incidents/context.ts";
import { recordNotification } from "../../incidents/alerts/fold.ts";
import { recordPagerDuty } from "../../incidents/alerts/pagerduty.ts";
import type { Door } from "../http-server.ts";
import { authorized, HttpError, readBody, sendError, sendJson } from "../http.ts";
import { parseAlertmanager } from "./alertmanager.ts";
import { PAGERDUTY_EVENT_TYPES, pagerDutySignatureValid, parsePagerDuty } from "./pagerduty.ts";
import { hmacValid, type ParsedEvent, parseGithub, parseJira, parseLinear } from "./trackers.ts";
import { UPSTREAM_JOB } from "../../incidents/followups/export.ts";
import { recordOnce } from "../../incidents/requests.ts";
import { TRACKER_NAMES } from "../../config/sections/followups.ts";
import type { Config } from "../../config/index.ts";

function parseJson(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString("utf8"));
  } catch {
    throw new HttpError(400, "invalid_json", "The body is not valid JSON.");
  }
}

/** Runs a door's handler; an HttpError becomes its answer. */
async function answer(req: http.IncomingMessage, res: http.ServerResponse, handle: () => Promise<void>): Promise<void> {
  try {
    await handle();
  } catch (err) {
    if (!(err instanceof HttpError)) throw err;
    req.resume();
    if (res.headersSent) res.destroy();
    else sendError(res, err);
  }
}

function postOnly(req: http.IncomingMessage, path: string): void {
  if (req.method !== "POST") throw new HttpError(405, "method_not_allowed", `${path} answers POST only.`);
}

export function alertmanagerDoor(ctx: Ctx, token: string | undefined): Door {
  const path = "/hooks/alertmanager";
  return {
    prefix: path,
    handle: (req, res) =>
      answer(req, res, async () => {
        if (!token) throw new HttpError(404, "not_found", "Alerts are off: set WARROOM_ALERTS_TOKEN to turn on POST /hooks/alertmanager.");
        postOnly(req, path);
        if (!authorized(req, token)) throw new HttpError(401, "unauthorized", "unauthorized");
        const raw = await readBody(req);
        const parsed = parseAlertmanager(parseJson(raw), ctx.config.incident.alerts.severityLabel);
        if (!parsed.ok) throw new HttpError(400, "bad_request", parsed.message);
        await recordNotification(ctx, parsed.notification, createHash("sha256").update(raw).digest("hex"));
        sendJson(res, 200, { status: "accepted" });
      }),
  };
}

export function pagerdutyDoor(ctx: Ctx, secret: string | undefined): Door {
  const path = "/hooks/pagerduty";
  return {
    prefix: path,
    handle: (req, res) =>
      answer(req, res, async () => {
        if (!secret) throw new HttpError(404, "not_found", "PagerDuty is off: set PAGERDUTY_WEBHOOK_SECRET to turn on POST /hooks/pagerduty.");
        postOnly(req, path);
        // the signature covers the raw body: read it (up to 1 MB) before anything else
        const raw = await readBody(req);
        if (!pagerDutySignatureValid(req.headers["x-pagerduty-signature"], raw, secret)) throw new HttpError(401, "unauthorized", "unauthorized");
        const parsed = parsePagerDuty(parseJson(raw));
        if (!parsed.ok) throw new HttpError(400, "bad_request", parsed.message);
        const e = parsed.event;
        if (!(PAGERDUTY_EVENT_TYPES as readonly string[]).includes(e.type) || !e.incident) {
          // pings and the events this bot does not act on
          sendJson(res, 200, { status: "ignored" });
          return;
        }
        const fresh = await recordPagerDuty(ctx, {
          id: e.id,
          type: e.type,
          occurredAt: e.occurredAt?.toISOString() ?? null,
          agent: e.agent,
          incident: { ...e.incident, createdAt: e.incident.createdAt?.toISOString() ?? null },
        });
        sendJson(res, 200, { status: fresh ? "accepted" : "duplicate" });
      }),
  };
}

/**
 * POST /hooks/github, /hooks/jira, /hooks/linear: a tracker's issue closed or reopened there. Closed
 * (404) until its secret is set; the signature over the raw body (1 MB at most) before anything is
 * parsed; each delivery recorded once by its id, with the job that acts on it, before the 200.
 */
export function trackerDoors(ctx: Ctx, secrets: Config["trackerSecrets"]): Door[] {
  const followups = ctx.config.incident.followups;
  const github = followups?.tracker.kind === "github" ? `${followups.tracker.owner}/${followups.tracker.repo}` : undefined;
  const door = (kind: "github" | "jira" | "linear", env: string, read: (req: http.IncomingMessage, raw: Buffer, secret: string) => { delivery: string; parsed: ParsedEvent }): Door => {
    const path = `/hooks/${kind}`;
    const secret = secrets[kind];
    return {
      prefix: path,
      handle: (req, res) =>
        answer(req, res, async () => {
          if (!secret) throw new HttpError(404, "not_found", `${TRACKER_NAMES[kind]}'s webhooks are off: set ${env} to turn on POST ${path}.`);
          postOnly(req, path);
          const raw = await readBody(req);
          const { delivery, parsed } = read(req, raw, secret);
          if (!parsed.ok) throw new HttpError(400, "bad_request", parsed.message);
          if (parsed.event.kind === "ignored" || followups?.tracker.kind !== kind) {
            sendJson(res, 200, { status: "ignored" });
            return;
          }
          const fresh = await recordOnce(ctx, `${kind}:${delivery}`, UPSTREAM_JOB, parsed.event.change);
          sendJson(res, 200, { status: fresh ? "accepted" : "duplicate" });
        }),
    };
  };
  const deliveryOf = (req: http.IncomingMessage, header: string): string => {
    const v = req.headers[header];
    if (typeof v !== "string" || !/^[A-Za-z0-9._:-]{1,200}$/.test(v)) throw new HttpError(400, "bad_request", `the ${header} header (the delivery's id) is missing or malformed`);
    return v;
  };
  const verified = (ok: boolean) => {
    if (!ok) throw new HttpError(401, "unauthorized", "unauthorized");
  };
  return [
    door("github", "GITHUB_WEBHOOK_SECRET", (req, raw, secret) => {
      verified(hmacValid(req.headers["x-hub-signature-256"], raw, secret, true));
      const delivery = deliveryOf(req, "x-github-delivery");
      const event = req.headers["x-github-event"];
      return { delivery, parsed: parseGithub(typeof event === "string" ? event : undefined, parseJson(raw), github ?? "") };
    }),
    door("jira", "JIRA_WEBHOOK_SECRET", (req, raw, secret) => {
      verified(hmacValid(req.headers["x-hub-signature"], raw, secret, true));
      return { delivery: deliveryOf(req, "x-atlassian-webhook-identifier"), parsed: parseJira(parseJson(raw)) };
    }),
    door("linear", "LINEAR_WEBHOOK_SECRET", (req, raw, secret) => {
      verified(hmacValid(req.headers["linear-signature"], raw, secret, false));
      return { delivery: deliveryOf(req, "linear-delivery"), parsed: parseLinear(parseJson(raw), ctx.clock.now()) };
    }),
  ];
}
