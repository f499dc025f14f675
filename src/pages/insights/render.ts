// The insights page from its report: each chart with its numbers as a table under it and as CSV (the
// same rows: seconds and fractions in the CSV, words in the table), the range's summary, the filters
// as a plain GET form, and the sign-in form. HTML from Liquid templates (templates/insights/), every
// value escaped; the charts are charts.ts's SVG, which escapes its own text. No script.

import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { stringify } from "csv-stringify/sync";
import { Liquid } from "liquidjs";
import { DateTime, Duration } from "luxon";
import { humanDuration } from "../../domain/durations.ts";
import { INSIGHT_RANGES, type InsightsReport } from "../../store/insights.ts";
import { horizontalBars, lines, percentBars, stackedBars } from "./charts.ts";

const DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../templates/insights");
const CSS = fs.readFileSync(path.join(DIR, "style.css"), "utf8");

/** Nothing from elsewhere, no script, the one stylesheet by its hash; forms post to this page only. */
export const INSIGHTS_CSP = [
  "default-src 'none'",
  `style-src 'sha256-${createHash("sha256").update(CSS).digest("base64")}'`,
  "img-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join("; ");

const liquid = new Liquid({ root: DIR, extname: ".liquid", outputEscape: "escape", cache: true, ownPropertyOnly: true, strictFilters: true, jsTruthy: false });

type Kind = "text" | "count" | "seconds" | "percent";
type Cell = string | number | null;

export interface Section {
  readonly id: string;
  readonly title: string;
  readonly svg: string;
  readonly legend: readonly { name: string; cls: string }[];
  readonly columns: readonly { name: string; kind: Kind }[];
  readonly rows: readonly Cell[][];
}

/** The CSV names, one per section. */
export const SECTION_IDS = ["weekly", "acknowledge", "mitigate", "resolve", "punctuality", "action-items", "sources", "services"] as const;

const short = (s: number): string => {
  if (s < 90) return `${Math.round(s)}s`;
  if (s < 5400) return `${Math.round(s / 60)}m`;
  if (s < 172_800) return `${Math.round(s / 360) / 10}h`;
  return `${Math.round(s / 8640) / 10}d`;
};
/** In words, to the second under a minute and to the minute above. */
const words = (s: number) => (s < 60 ? humanDuration(Duration.fromObject({ seconds: Math.round(s) })) : humanDuration(Duration.fromObject({ minutes: Math.round(s / 60) })));
const pct = (part: number, whole: number): number | null => (whole === 0 ? null : Math.round((part / whole) * 1000) / 10);
const monthLabel = (m: string) => DateTime.fromFormat(m, "yyyy-MM").toFormat("LLL yyyy");

export function sections(r: InsightsReport): Section[] {
  const sev = r.severities.map((s, i) => ({ ...s, cls: `s${Math.min(i, 9)}` }));
  const weekLabels = r.weeks.map((w) => DateTime.fromISO(w.week).toFormat("LLL d"));
  const months = r.months.map((m) => monthLabel(m.month));
  const duration = (id: "acknowledge" | "mitigate" | "resolve", title: string, key: "timeToAcknowledge" | "timeToMitigate" | "timeToResolve"): Section => ({
    id,
    title,
    svg: lines(title, months, [
      { name: "p50", cls: "l0", values: r.months.map((m) => m[key].p50) },
      { name: "p90", cls: "l1", values: r.months.map((m) => m[key].p90) },
    ], short),
    legend: [
      { name: "median (p50)", cls: "l0" },
      { name: "90th percentile (p90)", cls: "l1" },
    ],
    columns: [
      { name: "Month", kind: "text" },
      { name: "Incidents with it", kind: "count" },
      { name: "p50", kind: "seconds" },
      { name: "p90", kind: "seconds" },
    ],
    rows: r.months.map((m) => [m.month, m[key].n, m[key].p50, m[key].p90]),
  });
  return [
    {
      id: "weekly",
      title: "Incidents per week, by severity (the last 26 weeks)",
      svg: stackedBars("Incidents per week, by severity", weekLabels, sev.map((s) => ({ name: s.id, cls: s.cls, values: r.weeks.map((w) => w.counts[s.id] ?? 0) }))),
      legend: sev.map((s) => ({ name: `${s.id} · ${s.label}`, cls: s.cls })),
      columns: [{ name: "Week of", kind: "text" }, ...sev.map((s) => ({ name: s.id, kind: "count" as const })), { name: "Total", kind: "count" }],
      rows: r.weeks.map((w) => [w.week, ...sev.map((s) => w.counts[s.id] ?? 0), Object.values(w.counts).reduce((a, b) => a + b, 0)]),
    },
    duration("acknowledge", "Time to acknowledge, per month", "timeToAcknowledge"),
    duration("mitigate", "Time to mitigate, per month", "timeToMitigate"),
    duration("resolve", "Time to resolve, per month", "timeToResolve"),
    {
      id: "punctuality",
      title: "Update punctuality, per month",
      svg: percentBars("Update punctuality, per month", months, r.months.map((m) => pct(m.kept, m.kept + m.missed)), "l0"),
      legend: [],
      columns: [
        { name: "Month", kind: "text" },
        { name: "Kept", kind: "count" },
        { name: "Missed", kind: "count" },
        { name: "Punctuality", kind: "percent" },
      ],
      rows: r.months.map((m) => [m.month, m.kept, m.missed, pct(m.kept, m.kept + m.missed)]),
    },
    {
      id: "action-items",
      title: "Action items done by their due date, by the month they were due",
      svg: percentBars("Action items done by their due date", months, r.dueByMonth.map((m) => pct(m.onTime, m.due)), "l1"),
      legend: [],
      columns: [
        { name: "Month due", kind: "text" },
        { name: "Due", kind: "count" },
        { name: "Done by then", kind: "count" },
        { name: "Share", kind: "percent" },
      ],
      rows: r.dueByMonth.map((m) => [m.month, m.due, m.onTime, pct(m.onTime, m.due)]),
    },
    {
      id: "sources",
      title: "Alert sources that opened most incidents",
      svg: horizontalBars("Alert sources that opened most incidents", r.sources, "l0"),
      legend: [],
      columns: [
        { name: "Alert source", kind: "text" },
        { name: "Incidents opened", kind: "count" },
      ],
      rows: r.sources.map((s) => [s.name, s.n]),
    },
    {
      id: "services",
      title: "Services that opened most incidents",
      svg: horizontalBars("Services that opened most incidents", r.services, "l1"),
      legend: [],
      columns: [
        { name: "Service (the alert's service, job or name)", kind: "text" },
        { name: "Incidents opened", kind: "count" },
      ],
      rows: r.services.map((s) => [s.name, s.n]),
    },
  ];
}

function shown(c: Cell, kind: Kind): string {
  if (c === null) return "—";
  if (kind === "seconds" && typeof c === "number") return words(c);
  if (kind === "percent" && typeof c === "number") return `${c} %`;
  return String(c);
}

/** The range's summary as CSV: the numbers /incident stats, the digest and /api/v1/stats give for the same incidents. */
export function summaryCsv(r: InsightsReport): string {
  const s = r.summary;
  const d = s.durations;
  const row = (metric: string, x: { n: number; p50: number | null; p90: number | null }) => [metric, x.n, x.p50 ?? "", x.p90 ?? ""];
  return stringify([
    ["metric", "n", "p50 (seconds)", "p90 (seconds)"],
    ["incidents", s.total, "", ""],
    ...s.bySeverity.map((b) => [`incidents ${b.severity}`, b.n, "", ""]),
    row("time_to_detect", d.time_to_detect),
    row("time_to_acknowledge", d.time_to_acknowledge),
    row("time_to_mitigate", d.time_to_mitigate),
    row("time_to_resolve", d.time_to_resolve),
    ["punctuality_kept", s.punctuality.kept, "", ""],
    ["punctuality_missed", s.punctuality.missed, "", ""],
    ["action_items_open", s.actionItems.open, "", ""],
    ["action_items_overdue", s.actionItems.overdue, "", ""],
    ["action_items_done", s.actionItems.done, "", ""],
  ]);
}

/** A section's rows as CSV: seconds as numbers, shares as percentages, nothing as empty. */
export function sectionCsv(s: Section): string {
  const head = s.columns.map((c) => (c.kind === "seconds" ? `${c.name} (seconds)` : c.kind === "percent" ? `${c.name} (%)` : c.name));
  return stringify([head, ...s.rows.map((r) => r.map((c) => (c === null ? "" : c)))]);
}

export function query(r: InsightsReport): string {
  const q = new URLSearchParams({ range: String(r.filter.range), ...(r.filter.severity ? { severity: r.filter.severity } : {}), ...(r.filter.drills === "only" ? { drills: "only" } : {}) });
  return q.toString();
}

export async function renderInsights(r: InsightsReport): Promise<string> {
  const s = r.summary;
  const d = s.durations;
  const punct = pct(s.punctuality.kept, s.punctuality.kept + s.punctuality.missed);
  const cards = [
    { value: String(s.total), label: r.filter.drills === "only" ? "drills declared" : "incidents declared" },
    { value: d.time_to_acknowledge.p50 === null ? "—" : words(d.time_to_acknowledge.p50), label: `median time to acknowledge (n ${d.time_to_acknowledge.n})` },
    { value: d.time_to_mitigate.p50 === null ? "—" : words(d.time_to_mitigate.p50), label: `median time to mitigate (n ${d.time_to_mitigate.n})` },
    { value: d.time_to_resolve.p50 === null ? "—" : words(d.time_to_resolve.p50), label: `median time to resolve (n ${d.time_to_resolve.n})` },
    { value: punct === null ? "—" : `${punct} %`, label: `update punctuality (${s.punctuality.kept} of ${s.punctuality.kept + s.punctuality.missed} kept)` },
    { value: `${s.actionItems.open} open`, label: `action items: ${s.actionItems.overdue} overdue, ${s.actionItems.done} done` },
  ];
  const q = query(r);
  const list = sections(r).map((x) => ({ id: x.id, title: x.title, svg: x.svg, legend: x.legend, head: x.columns.map((c) => c.name), rows: x.rows.map((row) => row.map((c, i) => shown(c, x.columns[i]?.kind ?? "text"))), csv: `/insights/${x.id}.csv?${q}` }));
  const fmt = (d0: Date) => DateTime.fromJSDate(d0, { zone: r.zone }).toFormat("LLL d, yyyy");
  return liquid.renderFile("page", {
    css: CSS,
    ranges: INSIGHT_RANGES,
    range: r.filter.range,
    severity: r.filter.severity ?? "",
    severities: r.severities,
    drills: r.filter.drills === "only",
    zone: r.zone,
    scope: `${r.filter.drills === "only" ? "Drills" : "Incidents"} declared from ${fmt(r.since)} to ${fmt(r.until)}${r.filter.severity ? `, ${r.filter.severity} only` : ""}${r.filter.drills === "only" ? " (drills are never mixed into the team's numbers)" : ", drills left out"}`,
    cards,
    sections: list,
    summaryCsv: `/insights/summary.csv?${q}`,
    at: DateTime.fromJSDate(r.until, { zone: r.zone }).toFormat("LLL d, yyyy, HH:mm ZZZZ"),
  });
}

export async function renderSignin(error?: string): Promise<string> {
  return liquid.renderFile("signin", { css: CSS, error: error ?? "" });
}
