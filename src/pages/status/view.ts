// What the status page shows, worked out once per change from the page's settings, its public
// incidents and the time: the overall state, each component's state, its bar a day and its share of
// time without an incident (domain/public-history.ts defines them), the open incidents with their
// updates newest first, and the history. Only what the form published is here: the public title,
// status, message, impact and components. No I/O.

import { DateTime } from "luxon";
import type { StatusPageSettings } from "../../config/sections/status-page.ts";
import { componentHistory, currentImpact, type Span, spansOf, windowStart } from "../../domain/public-history.ts";
import { PUBLIC_IMPACTS, PUBLIC_STATUS_LABEL, PUBLIC_STATUSES, type PublicImpact, type PublicStatus } from "../../domain/statuspage.ts";

/** A public incident as stored: its updates oldest first. */
export interface PageIncidentData {
  readonly id: string;
  readonly name: string;
  readonly status: string;
  readonly impact: string;
  readonly componentIds: readonly string[];
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly resolvedAt: Date | null;
  readonly updates: readonly { readonly id: string; readonly status: string; readonly body: string; readonly impact: string; readonly componentIds: readonly string[]; readonly createdAt: Date }[];
}

export type Indicator = "none" | "minor" | "major" | "critical";
export type ComponentState = "operational" | "degraded_performance" | "partial_outage" | "major_outage";

/** Statuspage's words for its indicator and component statuses. */
export const INDICATOR_DESCRIPTION: Readonly<Record<Indicator, string>> = {
  none: "All Systems Operational",
  minor: "Minor Service Outage",
  major: "Partial System Outage",
  critical: "Major Service Outage",
};
export const COMPONENT_STATE_LABEL: Readonly<Record<ComponentState, string>> = {
  operational: "Operational",
  degraded_performance: "Degraded performance",
  partial_outage: "Partial outage",
  major_outage: "Major outage",
};
const STATE_OF_IMPACT: Readonly<Record<Exclude<PublicImpact, "none">, ComponentState>> = { minor: "degraded_performance", major: "partial_outage", critical: "major_outage" };
const IMPACT_WORD: Readonly<Record<Exclude<PublicImpact, "none">, string>> = { minor: "degraded performance", major: "partial outage", critical: "major outage" };

export interface ViewUpdate {
  readonly id: string;
  readonly status: PublicStatus;
  readonly statusLabel: string;
  readonly body: string;
  readonly at: Date;
  readonly iso: string;
  /** In the page's zone, e.g. "Dec 7, 2026, 14:05 CET". */
  readonly when: string;
  readonly componentIds: readonly string[];
}

export interface ViewIncident {
  readonly id: string;
  readonly name: string;
  readonly status: PublicStatus;
  readonly statusLabel: string;
  readonly impact: PublicImpact;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly resolvedAt: Date | null;
  readonly monitoringAt: Date | null;
  readonly when: string;
  readonly componentIds: readonly string[];
  /** Newest first. */
  readonly updates: readonly ViewUpdate[];
}

/** The days of one impact, drawn as one SVG path of thick strokes ("M12 10h4m8 0h4…", a run of days each). */
export interface ViewBars {
  readonly impact: Exclude<PublicImpact, "none">;
  readonly d: string;
}

export interface ViewComponent {
  readonly id: string;
  readonly name: string;
  readonly group: string | null;
  readonly position: number;
  readonly state: ComponentState;
  readonly stateLabel: string;
  /** Only the days with an incident, one path per impact (the others are drawn operational underneath). */
  readonly bars: readonly ViewBars[];
  /** The newest days with an incident, said: "Dec 3, 2026: partial outage for 2 h 13 min; …" */
  readonly daysSaid: string;
  /** "99.95" */
  readonly percent: string;
}

export interface ViewGroup {
  readonly id: string | null;
  readonly name: string | null;
  readonly state: ComponentState;
  readonly components: readonly ViewComponent[];
}

export interface StatusView {
  readonly title: string;
  readonly publicUrl: string | null;
  readonly zone: string;
  readonly days: number;
  readonly now: Date;
  /** The newest change the page shows (its last update), or now for a page without any. */
  readonly updatedAt: Date;
  readonly indicator: Indicator;
  readonly description: string;
  readonly groups: readonly ViewGroup[];
  readonly components: readonly ViewComponent[];
  readonly open: readonly ViewIncident[];
  /** Every incident the window shows (open and resolved), newest first. */
  readonly incidents: readonly ViewIncident[];
  readonly firstDay: string;
  readonly windowLabel: string;
}

const RANK: Readonly<Record<PublicImpact, number>> = { none: 0, minor: 1, major: 2, critical: 3 };
/** How many of the newest days with an incident a component's drawing says in words. */
const DAYS_SAID = 3;
/** The width of a day in the bar's drawing (3 units of bar, 1 of gap). */
export const BAR_STEP = 4;

const asStatus = (s: string): PublicStatus => ((PUBLIC_STATUSES as readonly string[]).includes(s) ? (s as PublicStatus) : "investigating");
const asImpact = (s: string): PublicImpact => ((PUBLIC_IMPACTS as readonly string[]).includes(s) ? (s as PublicImpact) : "none");

function when(d: Date, zone: string): string {
  return DateTime.fromJSDate(d, { zone }).toFormat("LLL d, yyyy, HH:mm ZZZZ");
}

function lasting(seconds: number): string {
  const m = Math.max(1, Math.round(seconds / 60));
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
}

function viewIncident(i: PageIncidentData, zone: string): ViewIncident {
  const status = asStatus(i.status);
  const monitoring = i.updates.find((u) => u.status === "monitoring");
  return {
    id: i.id,
    name: i.name,
    status,
    statusLabel: PUBLIC_STATUS_LABEL[status],
    impact: asImpact(i.impact),
    createdAt: i.createdAt,
    updatedAt: i.updatedAt,
    resolvedAt: i.resolvedAt,
    monitoringAt: monitoring?.createdAt ?? null,
    when: when(i.createdAt, zone),
    componentIds: i.componentIds,
    updates: [...i.updates]
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())
      .map((u) => {
        const s = asStatus(u.status);
        return { id: u.id, status: s, statusLabel: PUBLIC_STATUS_LABEL[s], body: u.body, at: u.createdAt, iso: u.createdAt.toISOString(), when: when(u.createdAt, zone), componentIds: u.componentIds };
      }),
  };
}

function worstState(states: readonly ComponentState[]): ComponentState {
  const order: ComponentState[] = ["operational", "degraded_performance", "partial_outage", "major_outage"];
  return states.reduce<ComponentState>((w, s) => (order.indexOf(s) > order.indexOf(w) ? s : w), "operational");
}

/** Group ids as Statuspage has them: a component of its own, here named from the group's name. */
export function groupId(name: string): string {
  return `group-${name.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "") || "unnamed"}`;
}

export function buildView(settings: StatusPageSettings, zone: string, incidents: readonly PageIncidentData[], now: Date): StatusView {
  const window = { days: settings.historyDays, zone, now };
  const start = windowStart(window);
  const shown = incidents.filter((i) => i.resolvedAt === null || i.resolvedAt >= start || i.createdAt >= start).sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
  const spans: Span[] = shown.flatMap((i) =>
    spansOf(i.updates.map((u) => ({ at: u.createdAt, status: asStatus(u.status), impact: asImpact(u.impact), componentIds: u.componentIds }))).map((s) =>
      // a span of a resolved incident ends when it was resolved at the latest
      s.to === null && i.resolvedAt ? { ...s, to: i.resolvedAt } : s,
    ),
  );
  const components = settings.components.map((c, position): ViewComponent => {
    const h = componentHistory(spans, c.id, window);
    const worstNow = currentImpact(spans, c.id, now);
    const state = worstNow ? STATE_OF_IMPACT[worstNow] : "operational";
    // a run of days of one impact is one rectangle (the gaps between days are drawn over it)
    const paths: Record<Exclude<PublicImpact, "none">, string> = { minor: "", major: "", critical: "" };
    const said: string[] = [];
    let run: { impact: Exclude<PublicImpact, "none">; from: number; days: number } | undefined;
    const pen: Record<Exclude<PublicImpact, "none">, number | null> = { minor: null, major: null, critical: null };
    const flush = () => {
      if (run) {
        const x = run.from * BAR_STEP;
        const at = pen[run.impact];
        paths[run.impact] += `${at === null ? `M${x} 10` : `m${x - at} 0`}h${run.days * BAR_STEP}`;
        pen[run.impact] = x + run.days * BAR_STEP;
      }
      run = undefined;
    };
    for (const [d, bar] of h.bars.entries()) {
      if (!bar.worst) {
        flush();
        continue;
      }
      if (run && run.impact === bar.worst) run.days++;
      else {
        flush();
        run = { impact: bar.worst, from: d, days: 1 };
      }
      said.push(`${DateTime.fromISO(bar.date, { zone }).toFormat("LLL d")}: ${IMPACT_WORD[bar.worst]} for ${lasting(bar.affectedSeconds)}`);
    }
    flush();
    const bars = (["minor", "major", "critical"] as const).filter((i) => paths[i] !== "").map((impact) => ({ impact, d: paths[impact] }));
    const newest = said.slice(-DAYS_SAID).reverse();
    const daysSaid = newest.length === 0 ? "no incident" : `${newest.join("; ")}${said.length > DAYS_SAID ? `; and ${said.length - DAYS_SAID} earlier days` : ""}`;
    return { id: c.id, name: c.name, group: c.group ?? null, position, state, stateLabel: COMPONENT_STATE_LABEL[state], bars, daysSaid, percent: h.percentWithoutIncident.toFixed(2) };
  });
  // a named group gathers its components wherever they are listed; ungrouped ones in a row share a block
  const blocks: { name: string | null; components: ViewComponent[] }[] = [];
  for (const c of components) {
    const into = c.group === null ? (blocks.at(-1)?.name === null ? blocks.at(-1) : undefined) : blocks.find((g) => g.name === c.group);
    if (into) into.components.push(c);
    else blocks.push({ name: c.group, components: [c] });
  }
  const groups: ViewGroup[] = blocks.map((g) => ({ id: g.name === null ? null : groupId(g.name), name: g.name, state: worstState(g.components.map((c) => c.state)), components: g.components }));
  const views = shown.map((i) => viewIncident(i, zone));
  const open = views.filter((i) => i.status !== "resolved");
  const indicator = open.reduce<Indicator>((w, i) => (RANK[i.impact] > RANK[w] ? i.impact : w), "none");
  const newest = incidents.reduce<Date | null>((d, i) => (d === null || i.updatedAt > d ? i.updatedAt : d), null);
  return {
    title: settings.title,
    publicUrl: settings.publicUrl ?? null,
    zone,
    days: settings.historyDays,
    now,
    updatedAt: newest ?? now,
    indicator,
    description: INDICATOR_DESCRIPTION[indicator],
    groups,
    components,
    open,
    incidents: views,
    firstDay: DateTime.fromJSDate(start, { zone }).toFormat("LLL d"),
    windowLabel: `${settings.historyDays} days`,
  };
}
