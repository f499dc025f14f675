// The optional YAML file (incident.config.yml): parsed with the yaml library (which counts lines),
// validated with zod. Each problem is one line naming the file, the line, the key and what was
// expected.

import fs from "node:fs";
import path from "node:path";
import { Cron } from "croner";
import { Duration, IANAZone } from "luxon";
import { scaleDuration } from "../domain/cadence.ts";
import { type Document, isMap, isScalar, isSeq, LineCounter, parseDocument } from "yaml";
import { z } from "zod";
import { createHash } from "node:crypto";
import { WEBHOOK_EVENT_TYPES, type WebhookEndpoint, type WebhookEventType } from "../domain/webhooks.ts";
import { DEFAULT_SEVERITIES, findSeverity, type NotifyTarget, notifyTarget, type Severity, type SeverityLadder, severityKey } from "../domain/severity.ts";
import { ConfigError } from "./errors.ts";

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
}

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


function parseDuration(text: string): Duration | undefined {
  const d: Duration = Duration.fromISO(text.trim());
  return d.isValid && d.toMillis() > 0 ? d : undefined;
}

const isoDuration = (what: string) =>
  z.string({ error: `expected an ISO-8601 duration for ${what}, such as PT30M or P2D` }).transform((text, ctx) => {
    const d = parseDuration(text);
    if (!d) {
      ctx.addIssue({ code: "custom", message: `expected a positive ISO-8601 duration for ${what}, such as PT30M or P2D (got "${text}")` });
      return z.NEVER;
    }
    return d;
  });

const cadence = z
  .string({ error: "expected an ISO-8601 duration such as PT30M, or null for no reminders" })
  .nullable()
  .transform((text, ctx) => {
    if (text === null) return null;
    const d = parseDuration(text);
    if (!d) {
      ctx.addIssue({ code: "custom", message: `expected an ISO-8601 duration such as PT30M, or null for no reminders (got "${text}")` });
      return z.NEVER;
    }
    return d;
  });

const severitySchema = z.strictObject({
  id: z
    .string({ error: "expected a severity id such as SEV1" })
    .trim()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,19}$/, "expected a severity id of letters, digits, - or _ (at most 20), such as SEV1"),
  label: z.string({ error: "expected a short label such as Critical" }).trim().min(1, "expected a short label such as Critical").max(30),
  description: z.string({ error: "expected a one-line description shown in the declare form" }).trim().min(1).max(150, "keep the description under 150 characters (it is shown in a Slack menu)"),
  cadence,
  requires_ic: z.boolean({ error: "expected true or false" }).default(false),
  expects_comms_lead: z.boolean({ error: "expected true or false" }).default(false),
  postmortem_required: z.boolean({ error: "expected true or false" }).default(false),
  notify: z
    .array(
      z
        .string({ error: "expected a Slack id: a person (U…), a user group (S…) or a channel (C…)" })
        .trim()
        .refine((id) => notifyTarget(id) !== undefined, { error: (i) => `expected a Slack id: a person (U0123ABCD), a user group (S0123ABCD) or a channel (C0123ABCD) (got "${String(i.input)}")` }),
      { error: "expected a list of Slack ids (people U…, user groups S…, channels C…)" },
    )
    .max(100, "at most 100 people, groups and channels per severity")
    .default([]),
  respond_within: isoDuration("respond_within").optional(),
  notify_drills: z.boolean({ error: "expected true or false" }).default(false),
});

const channelRef = z
  .string({ error: "expected a channel id (C0123ABCD) or a channel name" })
  .trim()
  .transform((s) => s.replace(/^#/, ""))
  .pipe(z.string().regex(/^(?:[CG][A-Z0-9]{6,}|[a-z0-9_-]{1,80})$/, "expected a channel id (C0123ABCD) or a channel name (lowercase, digits, - and _)"));

const prefix = (example: string) =>
  z
    .string({ error: `expected a channel prefix such as ${example}` })
    .trim()
    .regex(/^[a-z0-9][a-z0-9_-]{0,19}$/, `expected lowercase letters, digits, - or _ (at most 20 characters), such as ${example}`);

/** Five fields (minute hour day month weekday), or six with seconds first; read by croner. */
const cronPattern = z.string({ error: 'expected a cron pattern such as "0 9 * * 1" (09:00 every Monday)' }).trim().superRefine((text, ctx) => {
  const fields = text.split(/\s+/).length;
  if (fields !== 5 && fields !== 6) {
    ctx.addIssue({ code: "custom", message: `expected a cron pattern of five fields (minute hour day month weekday), or six with seconds first, such as "0 9 * * 1" (got ${fields} fields)` });
    return;
  }
  try {
    new Cron(text, { paused: true });
  } catch (err) {
    ctx.addIssue({ code: "custom", message: `expected a cron pattern such as "0 9 * * 1": ${(err as Error).message.replace(/^CronPattern: /, "")}` });
  }
});

const alertsSchema = z.strictObject(
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

const httpUrl = (what: string) =>
  z
    .string({ error: `expected ${what}, an http(s) URL` })
    .trim()
    .refine(
      (u) => {
        try {
          const url = new URL(u);
          return (url.protocol === "https:" || url.protocol === "http:") && url.hostname !== "";
        } catch {
          return false;
        }
      },
      { error: (i) => `expected ${what}, an http(s) URL (got "${String(i.input).slice(0, 80)}")` },
    );

const webhookSchema = z.strictObject(
  {
    url: httpUrl("the endpoint's URL"),
    events: z
      .array(z.enum(WEBHOOK_EVENT_TYPES, { error: (i) => `"${String(i.input)}" is not an event type (expected one of ${WEBHOOK_EVENT_TYPES.join(", ")})` }), { error: "expected a list of event types, such as [incident.declared, incident.resolved]" })
      .min(1, "expected at least one event type (leave events out for all of them)")
      .optional(),
    // before secret_env, so a secret written in the file is what is said
    secret: z
      .unknown()
      .refine(() => false, { error: "a secret is never written in this file: put it in an environment variable and name that with secret_env" })
      .optional(),
    secret_env: z
      .string({ error: "expected the name of the environment variable that holds the endpoint's secret (whsec_…)" })
      .trim()
      .regex(/^[A-Za-z_][A-Za-z0-9_]{0,99}$/, "expected an environment variable's name, such as WARROOM_WEBHOOK_SECRET"),
    include_private: z.boolean({ error: "expected true or false" }).default(false),
  },
  { error: "expected a mapping such as { url: https://…, secret_env: WARROOM_WEBHOOK_SECRET }" },
);

const statuspageSchema = z.strictObject(
  {
    page_id: z.string({ error: "expected your Statuspage page id (from the page's API info)" }).trim().regex(/^[a-z0-9]{6,40}$/i, "expected your Statuspage page id, letters and digits"),
    api_url: httpUrl("Statuspage's API base").default("https://api.statuspage.io/v1/"),
  },
  { error: "expected a mapping such as { page_id: abc123def456 }" },
);

const fileSchema = z.strictObject({
  announce_channel: channelRef.optional(),
  timezone: z
    .string({ error: "expected an IANA time zone such as Europe/Paris" })
    .trim()
    .refine((tz) => IANAZone.isValidZone(tz), { error: (i) => `expected an IANA time zone such as Europe/Paris or UTC (got "${String(i.input)}")` })
    .default("UTC"),
  channel_prefix: prefix("inc").default("inc"),
  drill_channel_prefix: prefix("drill").default("drill"),
  digest: z.strictObject({ cron: cronPattern, channel: channelRef.optional() }, { error: 'expected a mapping such as { cron: "0 9 * * 1", channel: incidents }' }).optional(),
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
});

function formatPath(p: readonly PropertyKey[]): string {
  let out = "";
  for (const part of p) out += typeof part === "number" ? `[${part}]` : out === "" ? String(part) : `.${String(part)}`;
  return out;
}

/**
 * The file being read, to name a problem by its line: a key's own line, or the nearest enclosing one
 * that exists (a missing key is reported at its mapping).
 */
export class ConfigFile {
  constructor(
    readonly name: string,
    private readonly doc?: Document,
    private readonly lines?: LineCounter,
  ) {}

  lineOf(at: readonly PropertyKey[]): number | undefined {
    if (!this.doc || !this.lines) return undefined;
    let node: unknown = this.doc.contents;
    let start = (node as { range?: [number, number, number] } | null)?.range?.[0];
    for (const part of at) {
      if (isMap(node)) {
        const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(part));
        if (!pair) break;
        start = (pair.key as { range?: [number, number, number] }).range?.[0] ?? start;
        node = pair.value;
      } else if (isSeq(node) && typeof part === "number" && node.items[part]) {
        node = node.items[part];
        start = (node as { range?: [number, number, number] }).range?.[0] ?? start;
      } else break;
    }
    return start === undefined ? undefined : this.lines.linePos(start).line;
  }

  /** One line: the file, the line, the key and what was expected. */
  problem(at: readonly PropertyKey[], message: string): ConfigError {
    const line = this.lineOf(at);
    const where = formatPath(at);
    return new ConfigError(`${this.name}: ${line !== undefined ? `line ${line}: ` : ""}${where === "" ? "(top level)" : where}: ${message}`);
  }

  issue(issue: z.core.$ZodIssue): ConfigError {
    if (issue.code === "unrecognized_keys") {
      const keys = issue.keys.map((k) => `"${k}"`).join(", ");
      const where = formatPath(issue.path);
      const line = this.lineOf([...issue.path, issue.keys[0] ?? ""]);
      return new ConfigError(`${this.name}: ${line !== undefined ? `line ${line}: ` : ""}unknown key ${keys}${where === "" ? "" : ` in ${where}`}; check the spelling against incident.config.example.yml`);
    }
    return this.problem(issue.path, issue.message);
  }
}

function toLadder(raw: z.output<typeof severitySchema>[]): SeverityLadder {
  return raw.map(
    (s): Severity => ({
      id: s.id,
      label: s.label,
      description: s.description,
      cadence: s.cadence,
      requiresIc: s.requires_ic,
      expectsCommsLead: s.expects_comms_lead,
      postmortemRequired: s.postmortem_required,
      notify: [...new Set(s.notify)].map((id) => notifyTarget(id) as NotifyTarget),
      respondWithin: s.respond_within ?? null,
      notifyDrills: s.notify_drills,
    }),
  );
}

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
  let data: unknown = {};
  let source = new ConfigFile(file ?? "config");
  if (file !== undefined) {
    let text: string;
    try {
      text = fs.readFileSync(file, "utf8");
    } catch (err) {
      throw new ConfigError(`${file}: could not be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
    const lines = new LineCounter();
    const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true, lineCounter: lines });
    const first = doc.errors[0];
    if (first) {
      const pos = lines.linePos(first.pos[0]);
      const what =
        first.code === "DUPLICATE_KEY"
          ? `duplicate key "${(text.slice(first.pos[0]).split("\n")[0] ?? "").split(":")[0]?.trim() || "?"}" (each key may appear once)`
          : first.message.split("\n")[0];
      throw new ConfigError(`${file}: line ${pos.line}, column ${pos.col}: YAML syntax: ${what}`);
    }
    source = new ConfigFile(file, doc, lines);
    try {
      data = doc.toJS({ maxAliasCount: 100 }) ?? {};
    } catch (err) {
      // The yaml library refuses documents whose aliases expand without bound ("billion laughs").
      throw new ConfigError(`${file}: YAML: ${(err as Error).message.split("\n")[0]}`);
    }
    if (typeof data !== "object" || Array.isArray(data)) {
      throw new ConfigError(`${file}: (top level): expected a mapping of keys such as timezone: UTC`);
    }
  }
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
  const severities = v.severities ? toLadder(v.severities) : DEFAULT_SEVERITIES;
  const digestChannel = v.digest ? (v.digest.channel ?? v.announce_channel) : undefined;
  if (v.digest && !digestChannel) throw source.problem(["digest", "channel"], "expected a channel for the digest (or set announce_channel, its default)");
  if (v.drill_channel_prefix === v.channel_prefix) throw source.problem(["drill_channel_prefix"], `must differ from channel_prefix ("${v.channel_prefix}"), so drills are told apart`);
  const digest = v.digest && digestChannel ? { cron: v.digest.cron, channel: digestChannel } : undefined;
  const seen = new Map<string, number>();
  severities.forEach((s, i) => {
    const key = severityKey(s.id);
    const prev = seen.get(key);
    if (prev !== undefined) {
      throw source.problem(["severities", i, "id"], `"${s.id}" repeats severities[${prev}].id; ids must be unique`);
    }
    seen.set(key, i);
  });
  const alerts = readAlerts(source, v.alerts, severities, v.announce_channel);
  const webhooks = readWebhooks(source, v.webhooks, env);
  const statuspage = v.statuspage ? { pageId: v.statuspage.page_id, apiUrl: v.statuspage.api_url.endsWith("/") ? v.statuspage.api_url : `${v.statuspage.api_url}/` } : undefined;
  return {
    webhooks,
    ...(statuspage ? { statuspage } : {}),
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


/** `alerts:`: every severity it names must be one of the ladder's, said with its line. */
function readAlerts(source: ConfigFile, raw: z.output<typeof alertsSchema>, ladder: SeverityLadder, announceChannel: string | undefined): AlertSettings {
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

/** A Standard Webhooks secret: whsec_ and the base64 of 24 to 64 random bytes. */
const SECRET = /^whsec_([A-Za-z0-9+/]+={0,2})$/;

/** `webhooks:`: each secret read from the variable it names (never from the file), said with its line when missing. */
function readWebhooks(source: ConfigFile, raw: z.output<typeof webhookSchema>[], env: Readonly<Record<string, string | undefined>>): WebhookEndpoint[] {
  const seen = new Map<string, number>();
  return raw.map((w, i) => {
    const prev = seen.get(w.url);
    if (prev !== undefined) throw source.problem(["webhooks", i, "url"], `repeats webhooks[${prev}].url; each endpoint once (list the events it wants instead)`);
    seen.set(w.url, i);
    const secret = env[w.secret_env]?.trim();
    if (!secret) throw source.problem(["webhooks", i, "secret_env"], `the environment variable ${w.secret_env} is not set: it holds this endpoint's signing secret (whsec_ and base64, e.g. whsec_$(openssl rand -base64 32))`);
    const m = SECRET.exec(secret);
    const bytes = m ? Buffer.from(m[1] as string, "base64").length : 0;
    if (!m || bytes < 24 || bytes > 64) throw source.problem(["webhooks", i, "secret_env"], `${w.secret_env} must be whsec_ followed by the base64 of 24 to 64 random bytes, e.g. whsec_$(openssl rand -base64 32) (its value is not shown)`);
    return {
      key: createHash("sha256").update(w.url).digest("hex").slice(0, 16),
      url: w.url,
      events: [...new Set<WebhookEventType>(w.events ?? WEBHOOK_EVENT_TYPES)],
      secret,
      secretEnv: w.secret_env,
      includePrivate: w.include_private,
    };
  });
}
