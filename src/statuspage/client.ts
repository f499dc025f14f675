// Atlassian Statuspage's manage API (v1), the calls the bot makes: the page's components, its
// unresolved incidents (to find its own again by the marker), one incident, create and update.
// `Authorization: OAuth <key>`; JSON both ways; every answer checked with zod. Statuspage allows one
// request per second per key (over a 60 s window), so this process spaces its calls a second apart;
// a 420/429 comes back as a transient error carrying Retry-After. The key is never logged.

import { z } from "zod";
import { componentStatus, marker, type Publication, type PublicState } from "../domain/statuspage.ts";

export const STATUSPAGE_TIMEOUT_MS = 10_000;
/** Statuspage's published limit: 1 request per second per API key. */
const MIN_INTERVAL_MS = 1_000;

const component = z.looseObject({
  id: z.string().min(1),
  name: z.string(),
  group: z.boolean().optional().nullable(),
  group_id: z.string().optional().nullable(),
  status: z.string().optional().nullable(),
  position: z.number().optional().nullable(),
});
export type StatuspageComponent = z.infer<typeof component>;

const incidentUpdate = z.looseObject({ id: z.string().optional(), status: z.string().optional().nullable(), body: z.string().optional().nullable(), created_at: z.string().optional().nullable() });

const incident = z.looseObject({
  id: z.string().min(1),
  name: z.string(),
  status: z.string(),
  impact: z.string().optional().nullable(),
  impact_override: z.string().optional().nullable(),
  shortlink: z.string().optional().nullable(),
  metadata: z.unknown().optional(),
  incident_updates: z.array(incidentUpdate).optional().nullable(),
  components: z.array(z.looseObject({ id: z.string() })).optional().nullable(),
});
export type StatuspageIncident = z.infer<typeof incident>;

/** A call that did not succeed: permanent (the key, the page, the request) or worth trying again. */
export class StatuspageError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    readonly transient: boolean,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = "StatuspageError";
  }
}

/** What a public incident says now, read from Statuspage's answer. */
export function stateOf(i: StatuspageIncident): PublicState {
  const latest = [...(i.incident_updates ?? [])].sort((a, b) => (b.created_at ?? "").localeCompare(a.created_at ?? ""))[0];
  return {
    name: i.name,
    status: i.status,
    body: latest?.body ?? null,
    impact: i.impact_override ?? i.impact ?? null,
    componentIds: (i.components ?? []).map((c) => c.id),
  };
}

function incidentBody(p: Publication, extra: Record<string, unknown> = {}) {
  const status = componentStatus(p.impact, p.status);
  return {
    incident: {
      name: p.name,
      status: p.status,
      body: p.body,
      impact_override: p.impact,
      component_ids: p.componentIds,
      components: Object.fromEntries(p.componentIds.map((id) => [id, status])),
      deliver_notifications: true,
      ...extra,
    },
  };
}

function retryAfterOf(header: string | null): number | undefined {
  if (!header) return undefined;
  const s = Number(header);
  if (Number.isFinite(s) && s >= 0) return Math.min(300_000, Math.ceil(s * 1000));
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.min(300_000, Math.max(0, at - Date.now()));
}

/** Statuspage's error answers are `{ "error": "…" }` or `{ "error": ["…", …] }`. */
function errorText(body: unknown, status: number): string {
  const e = body && typeof body === "object" ? (body as Record<string, unknown>).error ?? (body as Record<string, unknown>).message : undefined;
  const text = Array.isArray(e) ? e.map(String).join("; ") : typeof e === "string" ? e : "";
  return text ? `HTTP ${status}: ${text.slice(0, 300)}` : `HTTP ${status}`;
}

/** The form reads the page's components from a copy this young (they change rarely). */
export const COMPONENTS_CACHE_MS = 60_000;

export class StatuspageClient {
  private slot = 0;
  private cache: { at: number; components: Promise<StatuspageComponent[]> } | undefined;

  constructor(
    private readonly opts: { apiUrl: string; pageId: string; key: string; timeoutMs?: number; minIntervalMs?: number },
  ) {}

  get pageId(): string {
    return this.opts.pageId;
  }

  async components(): Promise<StatuspageComponent[]> {
    return z.array(component).parse(await this.call("GET", `pages/${this.opts.pageId}/components`));
  }

  /** The components, from a copy at most COMPONENTS_CACHE_MS old; a failed read is not kept. */
  cachedComponents(): Promise<StatuspageComponent[]> {
    const now = Date.now();
    if (this.cache && now - this.cache.at < COMPONENTS_CACHE_MS) return this.cache.components;
    const components = this.components();
    const entry = { at: now, components };
    this.cache = entry;
    components.catch(() => {
      if (this.cache === entry) this.cache = undefined;
    });
    return components;
  }

  async unresolved(): Promise<StatuspageIncident[]> {
    return z.array(incident).parse(await this.call("GET", `pages/${this.opts.pageId}/incidents/unresolved`));
  }

  async get(id: string): Promise<StatuspageIncident> {
    return incident.parse(await this.call("GET", `pages/${this.opts.pageId}/incidents/${encodeURIComponent(id)}`));
  }

  /** Creates the page's incident, marked with our incident's id (so it can be found again). */
  async create(p: Publication, incidentId: string): Promise<StatuspageIncident> {
    return incident.parse(await this.call("POST", `pages/${this.opts.pageId}/incidents`, incidentBody(p, { metadata: marker(incidentId) })));
  }

  async update(id: string, p: Publication): Promise<StatuspageIncident> {
    return incident.parse(await this.call("PATCH", `pages/${this.opts.pageId}/incidents/${encodeURIComponent(id)}`, incidentBody(p)));
  }

  /** Waits for this process's next one-per-second slot. */
  private async paced(): Promise<void> {
    const now = Date.now();
    const at = Math.max(now, this.slot);
    this.slot = at + (this.opts.minIntervalMs ?? MIN_INTERVAL_MS);
    if (at > now) await new Promise((resolve) => setTimeout(resolve, at - now));
  }

  private async call(method: "GET" | "POST" | "PATCH", path: string, body?: unknown): Promise<unknown> {
    await this.paced();
    const timeout = this.opts.timeoutMs ?? STATUSPAGE_TIMEOUT_MS;
    let res: Response;
    try {
      res = await fetch(new URL(path, this.opts.apiUrl), {
        method,
        headers: { authorization: `OAuth ${this.opts.key}`, accept: "application/json", ...(body ? { "content-type": "application/json" } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
        redirect: "error",
        signal: AbortSignal.timeout(timeout),
      });
    } catch (err) {
      const e = err as { name?: string; cause?: { code?: string }; message?: string };
      if (e.name === "TimeoutError" || e.name === "AbortError") throw new StatuspageError(`no answer within ${timeout / 1000} s`, null, true);
      throw new StatuspageError(`could not reach Statuspage (${e.cause?.code ?? e.message ?? "connection failed"})`, null, true);
    }
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (res.ok) {
      if (parsed === undefined) throw new StatuspageError(`Statuspage answered HTTP ${res.status} without JSON`, res.status, true);
      return parsed;
    }
    const transient = res.status === 420 || res.status === 429 || res.status >= 500;
    const message =
      res.status === 401 ? `the API key was refused (${errorText(parsed, res.status)}): check STATUSPAGE_API_KEY` : res.status === 404 ? `not found (${errorText(parsed, res.status)}): check statuspage.page_id` : errorText(parsed, res.status);
    throw new StatuspageError(message, res.status, transient, retryAfterOf(res.headers.get("retry-after")));
  }
}
