// The status page's documents, from its view: HTML (Liquid templates in templates/status-page/,
// every value escaped on output, so what a person typed can never become markup; no script; one
// inline stylesheet allowed by its hash), JSON in Atlassian Statuspage's public shape (v2), and an
// Atom feed with one entry per public update (the `feed` library). Rendered once per change.

import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Feed } from "feed";
import { Liquid } from "liquidjs";
import { DateTime } from "luxon";
import { PUBLIC_IMPACT_LABEL } from "../../domain/statuspage.ts";
import { escapeHtml } from "../../domain/text.ts";
import { BAR_STEP, COMPONENT_STATE_LABEL, groupId, type StatusView, type ViewComponent, type ViewIncident } from "./view.ts";

const DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../templates/status-page");
const CSS = fs.readFileSync(path.join(DIR, "style.css"), "utf8");

/** The Content-Security-Policy of every page: nothing from elsewhere, no script, the one stylesheet by its hash. */
export const PAGE_CSP = [
  "default-src 'none'",
  `style-src 'sha256-${createHash("sha256").update(CSS).digest("base64")}'`,
  "img-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

/** Incidents on a page of the history. */
export const HISTORY_PAGE_SIZE = 20;

const liquid = new Liquid({ root: DIR, extname: ".liquid", outputEscape: "escape", cache: true, ownPropertyOnly: true, strictFilters: true, jsTruthy: false });

/** The path the page is served under: public_url's own path (behind a proxy), else the root. */
function basePath(view: StatusView): string {
  if (!view.publicUrl) return "";
  return new URL(view.publicUrl).pathname.replace(/\/+$/, "");
}

function common(view: StatusView, heading: string): Record<string, unknown> {
  return {
    css: CSS,
    base: basePath(view),
    step: BAR_STEP,
    width: view.days * BAR_STEP,
    heading,
    states: COMPONENT_STATE_LABEL,
    impacts: PUBLIC_IMPACT_LABEL,
    updated: DateTime.fromJSDate(view.now, { zone: view.zone }).toFormat("LLL d, yyyy, HH:mm ZZZZ"),
  };
}

// Every page stays under 60 KB whatever was published: a list shows each incident's latest update,
// cut at CUT characters (the incident's own page has it whole), and an incident's page shows its
// updates whole, newest first, while they fit BUDGET bytes (as escaped), then cut, then counted.
const CUT = 240;
/** …and at most this many bytes once escaped. */
const CUT_BYTES = 480;
const BUDGET = 40_000;
const CUT_BUDGET = 52_000;
/** Open incidents on the page itself (more are listed in the history). */
const OPEN_SHOWN = 10;

const ENTITY: Readonly<Record<string, number>> = { "&": 5, "<": 4, ">": 4, '"': 6, "'": 5 };
/** How many bytes `s` takes once escaped into the page. */
export function escapedLength(s: string): number {
  let n = Buffer.byteLength(s, "utf8");
  for (const ch of s) n += (ENTITY[ch] ?? 1) - 1;
  return n;
}

interface ShownUpdate {
  readonly statusLabel: string;
  readonly body: string;
  readonly cut: boolean;
  readonly iso: string;
  readonly when: string;
}

function shownUpdate(u: ViewIncident["updates"][number]): ShownUpdate {
  return { statusLabel: u.statusLabel, body: u.body, cut: false, iso: u.iso, when: u.when };
}

/** An update cut at CUT characters or CUT_BYTES escaped bytes, whichever comes first. */
function cutUpdate(u: ViewIncident["updates"][number]): ShownUpdate {
  let kept = "";
  let count = 0;
  let bytes = 0;
  for (const ch of u.body) {
    bytes += escapedLength(ch);
    if (++count > CUT || bytes > CUT_BYTES) return { ...shownUpdate(u), body: kept.trimEnd(), cut: true };
    kept += ch;
  }
  return shownUpdate(u);
}

/** An incident in a list: its latest update, cut. */
function card(i: ViewIncident): { i: ViewIncident; shown: ShownUpdate[]; hidden: number } {
  const [latest] = i.updates;
  return { i, shown: latest ? [cutUpdate(latest)] : [], hidden: Math.max(0, i.updates.length - 1) };
}

export async function renderHome(view: StatusView): Promise<string> {
  const recent = view.incidents.filter((i) => i.status === "resolved").slice(0, 3).map(card);
  const open = view.open.slice(0, OPEN_SHOWN).map(card);
  return liquid.renderFile("page", { ...common(view, view.title), page: { ...view, open, recent, moreOpen: Math.max(0, view.open.length - OPEN_SHOWN) } });
}

export async function renderIncident(view: StatusView, incident: ViewIncident): Promise<string> {
  const names = new Map(view.components.map((c) => [c.id, c.name]));
  const affected = incident.componentIds.map((id) => names.get(id)).filter(Boolean).join(", ");
  const shown: ShownUpdate[] = [];
  let used = 0;
  for (const u of incident.updates) {
    const whole = escapedLength(u.body);
    if (used + whole <= BUDGET) {
      shown.push(shownUpdate(u));
      used += whole;
      continue;
    }
    const cut = cutUpdate(u);
    const size = escapedLength(cut.body) + 200;
    if (used + size > CUT_BUDGET) break;
    shown.push(cut);
    used += size;
  }
  return liquid.renderFile("incident", { ...common(view, `${incident.name} · ${view.title}`), page: view, incident, affected, shown, hidden: incident.updates.length - shown.length });
}

/** The history's pages (1-based), HISTORY_PAGE_SIZE incidents each; at least one. */
export function historyPages(view: StatusView): number {
  return Math.max(1, Math.ceil(view.incidents.length / HISTORY_PAGE_SIZE));
}

export async function renderHistory(view: StatusView, number: number): Promise<string> {
  const incidents = view.incidents.slice((number - 1) * HISTORY_PAGE_SIZE, number * HISTORY_PAGE_SIZE).map(card);
  return liquid.renderFile("history", { ...common(view, `History · ${view.title}`), page: view, incidents, number, pages: historyPages(view) });
}

// ---------- Statuspage's public JSON (v2) ----------

function pageJson(view: StatusView): Record<string, unknown> {
  return { id: "warroom", name: view.title, url: view.publicUrl ? `${view.publicUrl}/status` : "/status", time_zone: view.zone, updated_at: view.updatedAt.toISOString() };
}

function componentJson(view: StatusView, c: ViewComponent): Record<string, unknown> {
  return {
    id: c.id,
    name: c.name,
    status: c.state,
    created_at: null,
    updated_at: view.updatedAt.toISOString(),
    position: c.position + 1,
    description: null,
    showcase: true,
    start_date: null,
    group_id: c.group ? groupId(c.group) : null,
    page_id: "warroom",
    group: false,
    only_show_if_degraded: false,
  };
}

/** The components as Statuspage lists them: each one, and each group as a component of its own naming its members. */
function componentsJson(view: StatusView): Record<string, unknown>[] {
  const list: Record<string, unknown>[] = [];
  let position = view.components.length;
  for (const g of view.groups) {
    for (const c of g.components) list.push(componentJson(view, c));
    if (g.name && g.id) {
      position++;
      list.push({
        id: g.id,
        name: g.name,
        status: g.state,
        created_at: null,
        updated_at: view.updatedAt.toISOString(),
        position,
        description: null,
        showcase: false,
        start_date: null,
        group_id: null,
        page_id: "warroom",
        group: true,
        only_show_if_degraded: false,
        components: g.components.map((c) => c.id),
      });
    }
  }
  return list;
}

function incidentLink(view: StatusView, id: string): string {
  return `${view.publicUrl ?? ""}/status/incidents/${id}`;
}

function incidentJson(view: StatusView, i: ViewIncident): Record<string, unknown> {
  const byId = new Map(view.components.map((c) => [c.id, c]));
  return {
    id: i.id,
    name: i.name,
    status: i.status,
    created_at: i.createdAt.toISOString(),
    updated_at: i.updatedAt.toISOString(),
    monitoring_at: i.monitoringAt?.toISOString() ?? null,
    resolved_at: i.resolvedAt?.toISOString() ?? null,
    impact: i.impact,
    shortlink: incidentLink(view, i.id),
    started_at: i.createdAt.toISOString(),
    page_id: "warroom",
    incident_updates: i.updates.map((u) => ({
      id: u.id,
      status: u.status,
      body: u.body,
      incident_id: i.id,
      created_at: u.iso,
      updated_at: u.iso,
      display_at: u.iso,
      affected_components: u.componentIds
        .map((id) => byId.get(id))
        .filter((c): c is ViewComponent => c !== undefined)
        .map((c) => ({ code: c.id, name: c.name, old_status: null, new_status: u.status === "resolved" ? "operational" : c.state })),
      deliver_notifications: true,
      custom_tweet: null,
      tweet_id: null,
    })),
    components: i.componentIds
      .map((id) => byId.get(id))
      .filter((c): c is ViewComponent => c !== undefined)
      .map((c) => componentJson(view, c)),
  };
}

export interface JsonDocuments {
  readonly status: string;
  readonly summary: string;
  readonly components: string;
  readonly incidents: string;
  readonly unresolved: string;
  readonly scheduledMaintenances: string;
}

export function renderJson(view: StatusView): JsonDocuments {
  const page = pageJson(view);
  const status = { indicator: view.indicator, description: view.description };
  const components = componentsJson(view);
  const open = view.open.map((i) => incidentJson(view, i));
  return {
    status: JSON.stringify({ page, status }),
    summary: JSON.stringify({ page, components, incidents: open, scheduled_maintenances: [], status }),
    components: JSON.stringify({ page, components }),
    // Statuspage lists the 50 newest
    incidents: JSON.stringify({ page, incidents: view.incidents.slice(0, 50).map((i) => incidentJson(view, i)) }),
    unresolved: JSON.stringify({ page, incidents: open }),
    scheduledMaintenances: JSON.stringify({ page, scheduled_maintenances: [] }),
  };
}

// ---------- the Atom feed ----------

/** The feed's messages whole up to this many bytes, then cut, and no more than FEED_MAX. */
const FEED_BUDGET = 40_000;
const FEED_MAX = 70_000;

/** One entry per public update, newest first (the 50 newest). */
export function renderFeed(view: StatusView): string {
  const site = view.publicUrl ?? "";
  const feed = new Feed({
    title: view.title,
    // ids that stay the same whatever address the page moves to
    id: "urn:warroom:status-page",
    link: `${site}/status`,
    updated: view.updatedAt,
    generator: "Warroom",
    feedLinks: { atom: `${site}/status/feed.atom` },
    description: `Incidents and their updates on ${view.title}`,
  });
  const entries = view.incidents.flatMap((i) => i.updates.map((u) => ({ i, u }))).sort((a, b) => b.u.at.getTime() - a.u.at.getTime());
  let used = 0;
  for (const { i, u } of entries.slice(0, 50)) {
    // whole while the feed stays small, then cut (the incident's page has them whole)
    const whole = escapedLength(u.body);
    const cut = used + whole <= FEED_BUDGET ? undefined : cutUpdate(u);
    const shown = cut?.cut ? `${cut.body}…` : u.body;
    used += escapedLength(shown);
    if (used > FEED_MAX) break;
    // Atom's text here is HTML: what was typed is escaped into it, so a reader shows it as text
    feed.addItem({
      title: escapeHtml(`${i.name}: ${u.statusLabel}`),
      id: `urn:warroom:status-page:update:${u.id}`,
      link: incidentLink(view, i.id),
      date: u.at,
      published: u.at,
      description: escapeHtml(shown),
    });
  }
  return feed.atom1();
}
