// Alerts from monitoring (Alertmanager, Grafana, PagerDuty) and what they mean for triage: which
// alerts of a group newly fire or clear, whether a group's episode is still the one a notification
// belongs to, the severity a label maps to, the title a triage item proposes, and which links are
// safe to show. Pure: no clock, no I/O.

export const ALERT_SOURCES = ["alertmanager", "grafana", "pagerduty"] as const;
export type AlertSource = (typeof ALERT_SOURCES)[number];

export const SOURCE_LABEL: Readonly<Record<AlertSource, string>> = { alertmanager: "Alertmanager", grafana: "Grafana", pagerduty: "PagerDuty" };

export type AlertStatus = "firing" | "resolved";

export type Labels = Readonly<Record<string, string>>;

/** One alert as a notification carries it. */
export interface AlertInput {
  readonly fingerprint: string;
  readonly status: AlertStatus;
  readonly labels: Labels;
  readonly annotations: Labels;
  /** Null when the sender gave none (Go's zero time). */
  readonly startsAt: Date | null;
  readonly endsAt: Date | null;
  readonly generatorUrl: string | null;
}

/** A notification about one group, whatever sent it. */
export interface Notification {
  readonly source: AlertSource;
  readonly groupKey: string;
  readonly status: AlertStatus;
  readonly groupLabels: Labels;
  readonly commonLabels: Labels;
  readonly commonAnnotations: Labels;
  readonly externalUrl: string | null;
  readonly alerts: readonly AlertInput[];
  /** The value that picks the severity: the severity label's, or PagerDuty's urgency. */
  readonly severityValue: string | null;
}

/** An alert as stored: its latest state. */
export type StoredAlert = AlertInput;

/** What a notification changes in a group's alerts. */
export interface AlertChanges {
  /** The alerts after the notification, by fingerprint. */
  readonly alerts: readonly StoredAlert[];
  /** Alerts that fire now and did not before (new, or firing again). */
  readonly fired: readonly StoredAlert[];
  /** Alerts that resolved now. */
  readonly cleared: readonly StoredAlert[];
  /** Anything at all changed (a description edited counts). */
  readonly changed: boolean;
}

function sameLabels(a: Labels, b: Labels): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
}

const time = (d: Date | null) => d?.getTime() ?? null;

function sameAlert(a: StoredAlert, b: StoredAlert): boolean {
  return a.status === b.status && time(a.startsAt) === time(b.startsAt) && time(a.endsAt) === time(b.endsAt) && a.generatorUrl === b.generatorUrl && sameLabels(a.labels, b.labels) && sameLabels(a.annotations, b.annotations);
}

/**
 * Folds a notification's alerts into what is known. An alert fires again only as a new instance (a
 * later start): a late retry of an older notification cannot bring back an alert that resolved, nor
 * resolve one that fired again since. Alerts the notification does not mention are kept as they are
 * (Alertmanager may truncate a group).
 */
export function foldAlerts(known: readonly StoredAlert[], incoming: readonly AlertInput[]): AlertChanges {
  const byFingerprint = new Map(known.map((a) => [a.fingerprint, a]));
  const fired: StoredAlert[] = [];
  const cleared: StoredAlert[] = [];
  let changed = false;
  for (const a of incoming) {
    const before = byFingerprint.get(a.fingerprint);
    if (!before) {
      byFingerprint.set(a.fingerprint, a);
      changed = true;
      if (a.status === "firing") fired.push(a);
      continue;
    }
    const older = before.startsAt && a.startsAt && a.startsAt < before.startsAt;
    if (older) continue;
    if (before.status === "resolved" && a.status === "firing") {
      // the same instance still reported firing by a late retry: not a new firing
      const newInstance = !before.startsAt || !a.startsAt || a.startsAt > before.startsAt;
      if (!newInstance) continue;
      fired.push(a);
    } else if (before.status === "firing" && a.status === "resolved") {
      cleared.push(a);
    }
    if (!sameAlert(before, a)) {
      byFingerprint.set(a.fingerprint, a);
      changed = true;
    }
  }
  return { alerts: [...byFingerprint.values()], fired, cleared, changed };
}

export function firingCount(alerts: readonly StoredAlert[]): number {
  return alerts.filter((a) => a.status === "firing").length;
}

/** Every alert of the group has resolved (and there was at least one). */
export function allCleared(alerts: readonly StoredAlert[]): boolean {
  return alerts.length > 0 && alerts.every((a) => a.status === "resolved");
}

/** When the problem was first seen: the earliest start among the alerts. */
export function earliestStart(alerts: readonly Pick<StoredAlert, "startsAt">[]): Date | null {
  let best: Date | null = null;
  for (const a of alerts) if (a.startsAt && (!best || a.startsAt < best)) best = a.startsAt;
  return best;
}

export type TriageStatus = "pending" | "declared" | "merged" | "declined";

/**
 * Whether a notification belongs to a group's current episode, or starts a new one: a pending triage
 * item takes everything; a declined one until its alerts have all cleared; a linked one while its
 * incident is open.
 */
export function episodeContinues(e: { status: TriageStatus; incidentOpen: boolean; cleared: boolean }): boolean {
  switch (e.status) {
    case "pending":
      return true;
    case "declined":
      return !e.cleared;
    case "declared":
    case "merged":
      return e.incidentOpen;
  }
}

/** The severity a label value (or PagerDuty urgency) maps to; matched without regard to case. */
export function mapSeverity(value: string | null, map: Readonly<Record<string, string>>): string | undefined {
  if (value === null) return undefined;
  return map[value.trim().toLowerCase()];
}

/** The value of the severity label: the group's common labels first, else the first alert's. */
export function severityValueOf(label: string, common: Labels, alerts: readonly Pick<AlertInput, "labels">[]): string | null {
  const v = common[label] ?? alerts.find((a) => a.labels[label] !== undefined)?.labels[label];
  return v === undefined || v.trim() === "" ? null : v;
}

const nonEmpty = (v: string | undefined) => (v !== undefined && v.trim() !== "" ? v : undefined);

/** The alert's name: the group's alertname, else the common one, else the first alert's. */
export function alertNameOf(n: Pick<Notification, "groupLabels" | "commonLabels" | "alerts">): string {
  return nonEmpty(n.groupLabels.alertname) ?? nonEmpty(n.commonLabels.alertname) ?? nonEmpty(n.alerts.find((a) => nonEmpty(a.labels.alertname))?.labels.alertname) ?? "Alert";
}

/** The incident title a triage item proposes: the summary annotation, else the alert's name. */
export function proposedTitle(n: Pick<Notification, "groupLabels" | "commonLabels" | "commonAnnotations" | "alerts">, max = 150): string {
  const raw = nonEmpty(n.commonAnnotations.summary) ?? alertNameOf(n);
  const line = raw.replace(/\s+/g, " ").trim();
  return line.length <= max ? line : `${line.slice(0, max - 1).trimEnd()}…`;
}

/**
 * A link fit to show: http(s) only (a `javascript:` or `file:` URL is not linked), at most 2000
 * characters, with the characters that would end a Slack link token encoded.
 */
export function safeLink(url: string | null | undefined): string | null {
  if (!url) return null;
  const trimmed = url.trim();
  if (trimmed.length === 0 || trimmed.length > 2000 || /\s/.test(trimmed)) return null;
  let parsed: URL;
  try {
    parsed = new URL(trimmed);
  } catch {
    return null;
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return null;
  return trimmed.replace(/\|/g, "%7C").replace(/</g, "%3C").replace(/>/g, "%3E");
}
