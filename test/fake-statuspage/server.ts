// A fake of Atlassian Statuspage's manage API (v1) over real HTTP on loopback, built from its
// published reference (developer.statuspage.io): the calls Warroom makes, with Statuspage's shapes.
//
// - `Authorization: OAuth <key>`; a missing or wrong key is 401 `{ "error": "…" }`.
// - GET  /v1/pages/{page_id}/components               → [component]
// - GET  /v1/pages/{page_id}/incidents/unresolved     → [incident] (not resolved/postmortem/completed)
// - GET  /v1/pages/{page_id}/incidents/{incident_id}  → incident
// - POST /v1/pages/{page_id}/incidents   { incident: { name, status, body, impact_override,
//   component_ids, components: { id: status }, metadata, deliver_notifications } } → 201 incident
// - PATCH /v1/pages/{page_id}/incidents/{incident_id} { incident: { … } } → 200 incident; a body or
//   status adds an incident update (newest first in incident_updates, as Statuspage lists them).
// - An unknown page or incident is 404 `{ "error": "Not found" }`; an invalid field 422
//   `{ "error": ["…"] }`; a body that is not JSON 400.
// - "Each API token is limited to 1 request / second as measured on a 60 second rolling window":
//   over `limitPerMinute` requests (60) in the last 60 s is 429 with Retry-After (seconds).
// Tests can script answers (`failNext`), and watch every request (`requests`, `onAnswered`).
// A `.json` suffix on a path is accepted, as Statuspage does.

import { randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface FakeComponent {
  id: string;
  page_id: string;
  group_id: string | null;
  group: boolean;
  name: string;
  description: string | null;
  position: number;
  status: string;
  showcase: boolean;
  only_show_if_degraded: boolean;
  created_at: string;
  updated_at: string;
}

export interface FakeIncidentUpdate {
  id: string;
  incident_id: string;
  status: string;
  body: string;
  created_at: string;
  updated_at: string;
  display_at: string;
  affected_components: { code: string; name: string; old_status: string; new_status: string }[] | null;
  deliver_notifications: boolean;
}

export interface FakeIncident {
  id: string;
  page_id: string;
  name: string;
  status: string;
  impact: string;
  impact_override: string | null;
  shortlink: string;
  created_at: string;
  updated_at: string;
  started_at: string;
  monitoring_at: string | null;
  resolved_at: string | null;
  metadata: Record<string, unknown>;
  incident_updates: FakeIncidentUpdate[];
  components: FakeComponent[];
}

export interface SpRequest {
  method: string;
  path: string;
  body: unknown;
  authorization: string | undefined;
  at: number;
  status: number;
}

export type Scripted = { status: number; body?: unknown; retryAfter?: number } | { hang: true } | { cut: true };

const INCIDENT_STATUSES = ["investigating", "identified", "monitoring", "resolved", "postmortem", "scheduled", "in_progress", "verifying", "completed"];
const IMPACTS = ["none", "maintenance", "minor", "major", "critical"];
const COMPONENT_STATUSES = ["operational", "under_maintenance", "degraded_performance", "partial_outage", "major_outage"];
const UNRESOLVED = (s: string) => !["resolved", "postmortem", "completed"].includes(s);

const id = () => randomBytes(9).toString("base64url").toLowerCase().replace(/[^a-z0-9]/g, "x").slice(0, 12);
const iso = () => new Date().toISOString();
const str = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v));

export class FakeStatuspage {
  key: string;
  readonly pageId: string;
  readonly components: FakeComponent[] = [];
  readonly incidents = new Map<string, FakeIncident>();
  readonly requests: SpRequest[] = [];
  limitPerMinute = 60;
  /** Runs after an answer was sent (e.g. to kill the bot right after a create was answered). */
  onAnswered: ((r: SpRequest, answer: unknown) => void) | undefined;
  private readonly scripted: Scripted[] = [];
  private readonly hung = new Set<http.ServerResponse>();
  private readonly server = http.createServer((req, res) => void this.handle(req, res));
  url = "";

  constructor(opts: { key?: string; pageId?: string } = {}) {
    this.key = opts.key ?? "sp-test-key-0123456789";
    this.pageId = opts.pageId ?? "pg0test0page";
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1/`;
    return this;
  }

  async stop(): Promise<void> {
    for (const r of this.hung) r.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  addComponent(name: string, opts: { group?: boolean; groupId?: string } = {}): FakeComponent {
    const c: FakeComponent = {
      id: id(),
      page_id: this.pageId,
      group_id: opts.groupId ?? null,
      group: opts.group ?? false,
      name,
      description: null,
      position: this.components.length + 1,
      status: "operational",
      showcase: true,
      only_show_if_degraded: false,
      created_at: iso(),
      updated_at: iso(),
    };
    this.components.push(c);
    return c;
  }

  /** The next requests are answered like this, one each, before the real behaviour resumes. */
  failNext(...answers: Scripted[]): void {
    this.scripted.push(...answers);
  }

  /** Requests that changed something (POST, PATCH) and were answered 2xx. */
  writes(): SpRequest[] {
    return this.requests.filter((r) => r.method !== "GET" && r.status >= 200 && r.status < 300);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    const path = new URL(req.url ?? "/", "http://x").pathname.replace(/\.json$/, "");
    const r: SpRequest = { method: req.method ?? "GET", path, body: undefined, authorization: req.headers.authorization, at: Date.now(), status: 0 };
    this.requests.push(r);
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      r.status = status;
      res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers }).end(JSON.stringify(body));
      this.onAnswered?.(r, body);
    };

    if (req.headers.authorization !== `OAuth ${this.key}`) return send(401, { error: "Could not authenticate" });
    // the rolling window, per key (every request counts, refused ones too, as Statuspage counts them)
    const recent = this.requests.filter((x) => x.authorization === r.authorization && x.at > r.at - 60_000);
    if (recent.length > this.limitPerMinute) {
      const oldest = recent[0] as SpRequest;
      return send(429, { error: "Rate limit exceeded" }, { "retry-after": String(Math.max(1, Math.ceil((oldest.at + 60_000 - r.at) / 1000))) });
    }
    const s = this.scripted.shift();
    if (s) {
      if ("hang" in s) {
        this.hung.add(res);
        return;
      }
      if ("cut" in s) {
        req.socket.destroy();
        return;
      }
      return send(s.status, s.body ?? { error: s.status === 429 ? "Rate limit exceeded" : "Internal Server Error" }, s.retryAfter !== undefined ? { "retry-after": String(s.retryAfter) } : {});
    }
    if (raw) {
      try {
        r.body = JSON.parse(raw);
      } catch {
        return send(400, { error: "The request body is not valid JSON" });
      }
    }
    const m = /^\/v1\/pages\/([^/]+)\/(components|incidents)(?:\/([^/]+))?$/.exec(path);
    if (!m || m[1] !== this.pageId) return send(404, { error: "Not found" });
    const [, , collection, sub] = m;
    if (collection === "components" && !sub && r.method === "GET") return send(200, this.components);
    if (collection !== "incidents") return send(404, { error: "Not found" });
    if (!sub && r.method === "POST") return this.create(r.body, send);
    if (sub === "unresolved" && r.method === "GET") {
      return send(200, [...this.incidents.values()].filter((i) => UNRESOLVED(i.status)).sort((a, b) => b.created_at.localeCompare(a.created_at)));
    }
    const incident = sub ? this.incidents.get(sub) : undefined;
    if (!incident) return send(404, { error: "Not found" });
    if (r.method === "GET") return send(200, incident);
    if (r.method === "PATCH") return this.update(incident, r.body, send);
    return send(405, { error: "Method not allowed" });
  }

  private fields(body: unknown): { ok: true; f: Record<string, unknown> } | { ok: false; errors: string[] } {
    const f = body && typeof body === "object" ? ((body as Record<string, unknown>).incident as Record<string, unknown> | undefined) : undefined;
    if (!f || typeof f !== "object") return { ok: false, errors: ["incident is missing"] };
    const errors: string[] = [];
    if (f.status !== undefined && !INCIDENT_STATUSES.includes(str(f.status))) errors.push(`Status is not included in the list`);
    if (f.impact_override !== undefined && f.impact_override !== null && !IMPACTS.includes(str(f.impact_override))) errors.push("Impact override is not included in the list");
    if (f.name !== undefined && (typeof f.name !== "string" || f.name.trim() === "")) errors.push("Name can't be blank");
    const comps = (f.components ?? {}) as Record<string, unknown>;
    for (const [cid, st] of Object.entries(comps)) {
      if (!this.components.some((c) => c.id === cid)) errors.push(`Component ${cid} not found`);
      if (!COMPONENT_STATUSES.includes(str(st))) errors.push(`Component status ${str(st)} is not valid`);
    }
    for (const cid of (f.component_ids ?? []) as string[]) if (!this.components.some((c) => c.id === cid)) errors.push(`Component ${cid} not found`);
    return errors.length ? { ok: false, errors } : { ok: true, f };
  }

  private applyComponents(incident: FakeIncident, f: Record<string, unknown>): FakeIncidentUpdate["affected_components"] {
    const ids = new Set<string>([...((f.component_ids ?? []) as string[]), ...Object.keys(f.components ?? {})]);
    if (ids.size === 0 && f.component_ids === undefined) return null;
    const affected: NonNullable<FakeIncidentUpdate["affected_components"]> = [];
    for (const cid of ids) {
      const c = this.components.find((x) => x.id === cid) as FakeComponent;
      const next = str(((f.components ?? {}) as Record<string, unknown>)[cid] ?? c.status);
      affected.push({ code: c.id, name: c.name, old_status: c.status, new_status: next });
      c.status = next;
      c.updated_at = iso();
    }
    incident.components = [...ids].map((cid) => this.components.find((x) => x.id === cid) as FakeComponent);
    return affected;
  }

  private addUpdate(incident: FakeIncident, body: string, affected: FakeIncidentUpdate["affected_components"], notify: boolean): void {
    const at = iso();
    incident.incident_updates.unshift({ id: id(), incident_id: incident.id, status: incident.status, body, created_at: at, updated_at: at, display_at: at, affected_components: affected, deliver_notifications: notify });
  }

  private create(body: unknown, send: (s: number, b: unknown) => void): void {
    const v = this.fields(body);
    if (!v.ok) return send(422, { error: v.errors });
    const f = v.f;
    if (typeof f.name !== "string") return send(422, { error: ["Name can't be blank"] });
    const at = iso();
    const status = str(f.status ?? "investigating");
    const incident: FakeIncident = {
      id: id(),
      page_id: this.pageId,
      name: f.name,
      status,
      impact: str(f.impact_override ?? "none"),
      impact_override: (f.impact_override as string | undefined) ?? null,
      shortlink: `https://stspg.io/${id().slice(0, 7)}`,
      created_at: at,
      updated_at: at,
      started_at: at,
      monitoring_at: status === "monitoring" ? at : null,
      resolved_at: status === "resolved" ? at : null,
      metadata: (f.metadata as Record<string, unknown> | undefined) ?? {},
      incident_updates: [],
      components: [],
    };
    const affected = this.applyComponents(incident, f);
    this.addUpdate(incident, typeof f.body === "string" ? f.body : "", affected, f.deliver_notifications !== false);
    this.incidents.set(incident.id, incident);
    send(201, incident);
  }

  private update(incident: FakeIncident, body: unknown, send: (s: number, b: unknown) => void): void {
    const v = this.fields(body);
    if (!v.ok) return send(422, { error: v.errors });
    const f = v.f;
    const at = iso();
    if (typeof f.name === "string") incident.name = f.name;
    if (f.impact_override !== undefined) {
      incident.impact_override = (f.impact_override as string | null) ?? null;
      incident.impact = incident.impact_override ?? incident.impact;
    }
    if (f.metadata !== undefined) incident.metadata = f.metadata as Record<string, unknown>;
    const statusChanged = typeof f.status === "string" && f.status !== incident.status;
    if (typeof f.status === "string") {
      incident.status = f.status;
      if (f.status === "monitoring") incident.monitoring_at ??= at;
      if (f.status === "resolved") incident.resolved_at = at;
    }
    const affected = this.applyComponents(incident, f);
    if (typeof f.body === "string" || statusChanged) this.addUpdate(incident, typeof f.body === "string" ? f.body : "", affected, f.deliver_notifications !== false);
    incident.updated_at = at;
    send(200, incident);
  }
}

export async function startFakeStatuspage(opts: { key?: string; pageId?: string } = {}): Promise<FakeStatuspage> {
  return new FakeStatuspage(opts).start();
}
