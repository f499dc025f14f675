// The optional YAML file (incident.config.yml), assembled: read (yaml-source.ts), validated with zod
// section by section (each section's schema and reader in sections/), then checked across sections.
// Each problem is one line naming the file, the line, the key and what was expected.

import fs from "node:fs";
import path from "node:path";
import { Duration, IANAZone } from "luxon";
import { scaleDuration } from "../domain/cadence.ts";
import { z } from "zod";
import type { WebhookEndpoint } from "../domain/webhooks.ts";
import type { SeverityLadder } from "../domain/severity.ts";
import { ConfigError } from "./errors.ts";
import { type AiSettings, aiSchema, readAi } from "./sections/ai.ts";
import { type AlertSettings, alertsSchema, readAlerts } from "./sections/alerts.ts";
import { digestSchema, readDigest } from "./sections/digest.ts";
import { readSeverities, severitySchema } from "./sections/severities.ts";
import { readStatusPage, type StatusPageSettings, statusPageSchema } from "./sections/status-page.ts";
import { readStatuspage, statuspageSchema } from "./sections/statuspage.ts";
import { type FollowupSettings, followupsSchema, type PostmortemRepoSettings, postmortemRepoSchema, readFollowups, readPostmortemRepo } from "./sections/followups.ts";
import { channelRef, isoDuration, prefix } from "./sections/values.ts";
import { readWebhooks, webhookSchema } from "./sections/webhooks.ts";
import { readYaml } from "./yaml-source.ts";

export interface IncidentSettings {
  /** A channel id (C…/G…) or a name without '#'. */
  readonly announceChannel?: string;
  readonly timezone: string;
  readonly channelPrefix: string;
  readonly severities: SeverityLadder;
  readonly postmortemDue: Duration;
  readonly archiveAfter?: Duration;
  readonly templatesDir: string;
  readonly drillChannelPrefix: string;
  /** The digest's schedule (in `timezone`) and channel; unset: no digest. */
  readonly digest?: { readonly cron: string; readonly channel: string };
  readonly alerts: AlertSettings;
  /** Where every event is POSTed, signed (Standard Webhooks). */
  readonly webhooks: readonly WebhookEndpoint[];
  /** Atlassian Statuspage: the page and the API (the key is STATUSPAGE_API_KEY). */
  readonly statuspage?: { readonly pageId: string; readonly apiUrl: string };
  /** The public status page Warroom serves itself at /status; unset: /status is 404. */
  readonly statusPage?: StatusPageSettings;
  /** The tracker action items become issues in; unset: no export. */
  readonly followups?: FollowupSettings;
  /** The GitHub repository postmortems are committed to; unset: none. */
  readonly postmortemRepo?: PostmortemRepoSettings;
  /** What the assistant may send (it is on only with AI_BASE_URL and AI_MODEL). */
  readonly ai: AiSettings;
}

const fileSchema = z.strictObject({
  announce_channel: channelRef.optional(),
  timezone: z
    .string({ error: "expected an IANA time zone such as Europe/Paris" })
    .trim()
    .refine((tz) => IANAZone.isValidZone(tz), { error: (i) => `expected an IANA time zone such as Europe/Paris or UTC (got "${String(i.input)}")` })
    .default("UTC"),
  channel_prefix: prefix("inc").default("inc"),
  drill_channel_prefix: prefix("drill").default("drill"),
  digest: digestSchema.optional(),
  severities: z
    .array(severitySchema, { error: "expected a list of severities" })
    .min(1, "expected at least one severity")
    .max(10, "at most 10 severities fit the declare form")
    .optional(),
  postmortem_due: isoDuration("postmortem_due").prefault("P2D"),
  archive_after: isoDuration("archive_after").optional(),
  templates_dir: z.string({ error: "expected a directory path" }).trim().min(1).default("./templates"),
  alerts: alertsSchema.prefault({}),
  webhooks: z.array(webhookSchema, { error: "expected a list of endpoints" }).max(20, "at most 20 webhook endpoints").default([]),
  statuspage: statuspageSchema.optional(),
  status_page: statusPageSchema.optional(),
  followups: followupsSchema.optional(),
  postmortem_repo: postmortemRepoSchema.optional(),
  ai: aiSchema.optional(),
});

/** The settings with every duration run `scale` times faster (WARROOM_TIME_SCALE). */
export function scaleSettings(settings: IncidentSettings, scale: number): IncidentSettings {
  if (scale === 1) return settings;
  return {
    ...settings,
    severities: settings.severities.map((s) => ({
      ...s,
      cadence: s.cadence && scaleDuration(s.cadence, scale),
      respondWithin: s.respondWithin && scaleDuration(s.respondWithin, scale),
    })),
    postmortemDue: scaleDuration(settings.postmortemDue, scale),
    ...(settings.archiveAfter ? { archiveAfter: scaleDuration(settings.archiveAfter, scale) } : {}),
  };
}

export function readIncidentSettings(file: string | undefined, baseDir: string, env: Readonly<Record<string, string | undefined>> = {}): IncidentSettings {
  const { data, source } = readYaml(file);
  const parsed = fileSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw issue ? source.issue(issue) : new ConfigError(`${source.name}: invalid`);
  }
  const v = parsed.data;
  if (file !== undefined && (data as Record<string, unknown>)["templates_dir"] !== undefined) {
    const dir = path.resolve(baseDir, v.templates_dir);
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
      throw source.problem(["templates_dir"], `${dir} is not a directory (leave templates_dir out to use the built-in templates)`);
    }
  }
  const severities = readSeverities(source, v.severities);
  const digest = readDigest(source, v.digest, v.announce_channel);
  if (v.drill_channel_prefix === v.channel_prefix) throw source.problem(["drill_channel_prefix"], `must differ from channel_prefix ("${v.channel_prefix}"), so drills are told apart`);
  const alerts = readAlerts(source, v.alerts, severities, v.announce_channel);
  const webhooks = readWebhooks(source, v.webhooks, env);
  const statuspage = v.statuspage ? readStatuspage(v.statuspage) : undefined;
  return {
    ai: readAi(v.ai),
    webhooks,
    ...(statuspage ? { statuspage } : {}),
    ...(v.followups ? { followups: readFollowups(source, v.followups, env) } : {}),
    ...(v.postmortem_repo ? { postmortemRepo: readPostmortemRepo(source, v.postmortem_repo, env) } : {}),
    ...(v.status_page ? { statusPage: readStatusPage(v.status_page) } : {}),
    ...(v.announce_channel !== undefined ? { announceChannel: v.announce_channel } : {}),
    alerts,
    timezone: v.timezone,
    channelPrefix: v.channel_prefix,
    drillChannelPrefix: v.drill_channel_prefix,
    ...(digest ? { digest } : {}),
    severities,
    postmortemDue: v.postmortem_due,
    ...(v.archive_after !== undefined ? { archiveAfter: v.archive_after } : {}),
    templatesDir: path.resolve(baseDir, v.templates_dir),
  };
}
