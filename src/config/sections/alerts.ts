// `alerts:`: where triage messages go, which label picks the severity, how label values map to
// severities, and which severities are declared at once.

import { z } from "zod";
import { findSeverity, type SeverityLadder } from "../../domain/severity.ts";
import { channelRef } from "./values.ts";
import type { ConfigFile } from "../yaml-source.ts";

export interface AlertSettings {
  /** Where triage messages go (default announce_channel); unset with neither: no triage channel. */
  readonly triageChannel?: string;
  /** The label whose value picks the severity (Alertmanager, Grafana). */
  readonly severityLabel: string;
  /** Label value (or PagerDuty urgency), lowercased → severity id. */
  readonly severityMap: Readonly<Record<string, string>>;
  /** Severity ids declared at once, without triage. */
  readonly autoDeclare: readonly string[];
}

export const alertsSchema = z.strictObject(
  {
    triage_channel: channelRef.optional(),
    severity_label: z
      .string({ error: "expected a label name such as severity" })
      .trim()
      .regex(/^[a-zA-Z_][a-zA-Z0-9_]{0,99}$/, "expected a label name such as severity (letters, digits and _)")
      .default("severity"),
    severity_map: z
      .record(
        z.string().trim().min(1, "expected a label value such as critical").max(100),
        z.string({ error: "expected a severity id such as SEV1" }).trim().min(1, "expected a severity id such as SEV1"),
        { error: "expected a mapping of label values to severities, such as { critical: SEV1, warning: SEV3 }" },
      )
      .default({}),
    auto_declare: z.array(z.string({ error: "expected a severity id such as SEV1" }).trim().min(1), { error: "expected a list of severities, such as [SEV1]" }).max(10).default([]),
  },
  { error: "expected a mapping such as { triage_channel: alerts, severity_map: { critical: SEV1 } }" },
);

/** `alerts:`: every severity it names must be one of the ladder's, said with its line. */
export function readAlerts(source: ConfigFile, raw: z.output<typeof alertsSchema>, ladder: SeverityLadder, announceChannel: string | undefined): AlertSettings {
  const ids = ladder.map((s) => s.id).join(", ");
  const severityMap: Record<string, string> = {};
  for (const [value, id] of Object.entries(raw.severity_map)) {
    const severity = findSeverity(ladder, id);
    if (!severity) throw source.problem(["alerts", "severity_map", value], `"${id}" is not a configured severity (expected one of ${ids})`);
    const key = value.toLowerCase();
    if (severityMap[key] !== undefined && severityMap[key] !== severity.id) throw source.problem(["alerts", "severity_map", value], `"${value}" is mapped twice (label values are matched without regard to case)`);
    severityMap[key] = severity.id;
  }
  const autoDeclare = raw.auto_declare.map((id, i) => {
    const severity = findSeverity(ladder, id);
    if (!severity) throw source.problem(["alerts", "auto_declare", i], `"${id}" is not a configured severity (expected one of ${ids})`);
    return severity.id;
  });
  const triageChannel = raw.triage_channel ?? announceChannel;
  return {
    ...(triageChannel !== undefined ? { triageChannel } : {}),
    severityLabel: raw.severity_label,
    severityMap,
    autoDeclare: [...new Set(autoDeclare)],
  };
}
