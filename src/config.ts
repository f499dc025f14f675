// Configuration: environment variables and the optional YAML file (product.md §1), parsed once with
// zod into one frozen object. Any problem becomes a ConfigError whose message is a single line naming
// the variable, or the file and key, and what was expected; main prints it and exits.

import fs from "node:fs";
import path from "node:path";
import { Duration, IANAZone } from "luxon";
import { LineCounter, parseDocument } from "yaml";
import { z } from "zod";
import type { LogLevel } from "./log.ts";
import { DEFAULT_SEVERITIES, type Severity, type SeverityLadder, severityKey } from "./domain/severity.ts";

export class ConfigError extends Error {}

export type DatabaseConfig = { kind: "embedded"; dataDir: string } | { kind: "external"; url: string };

export interface IncidentSettings {
  /** A channel id (C…/G…) or a name without '#'. */
  readonly announceChannel?: string;
  readonly timezone: string;
  readonly channelPrefix: string;
  readonly severities: SeverityLadder;
  readonly postmortemDue: Duration;
  readonly archiveAfter?: Duration;
  readonly templatesDir: string;
}

export interface Config {
  readonly slack: {
    readonly botToken: string;
    readonly signingSecret?: string;
    readonly appToken?: string;
    readonly apiUrl: string;
    readonly socketMode: boolean;
  };
  readonly port: number;
  readonly database: DatabaseConfig;
  readonly logLevel: LogLevel;
  /** The config file that was read, if any. */
  readonly configFile?: string;
  readonly incident: IncidentSettings;
}

const HOW_TO = {
  SLACK_BOT_TOKEN:
    "the Bot User OAuth Token (xoxb-…) from your Slack app's OAuth & Permissions page, after installing the app to your workspace",
  SLACK_SIGNING_SECRET: "the Signing Secret from your Slack app's Basic Information page (App Credentials)",
  SLACK_APP_TOKEN:
    "an app-level token (xapp-…) with the connections:write scope, from your Slack app's Basic Information page (App-Level Tokens)",
};

// ---------- environment ----------

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

type Env = Record<string, string | undefined>;

function envValue(env: Env, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v.trim() === "" ? undefined : v.trim();
}

function requireToken(env: Env, name: keyof typeof HOW_TO, prefix: string | undefined): string {
  const value = envValue(env, name);
  if (value === undefined) throw new ConfigError(`${name} is not set: it is ${HOW_TO[name]}`);
  if (prefix !== undefined && !value.startsWith(prefix)) {
    throw new ConfigError(`${name} must start with ${prefix} (its value does not): it is ${HOW_TO[name]}`);
  }
  if (/\s/.test(value)) throw new ConfigError(`${name} contains whitespace: paste it again without spaces or line breaks`);
  return value;
}

function parseApiUrl(env: Env): string {
  const raw = envValue(env, "SLACK_API_URL") ?? "https://slack.com/api/";
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`SLACK_API_URL must be an http(s) URL such as https://slack.com/api/ (got "${raw}")`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new ConfigError(`SLACK_API_URL must be an http(s) URL such as https://slack.com/api/ (got "${raw}")`);
  }
  return url.href.endsWith("/") ? url.href : `${url.href}/`;
}

function parsePort(env: Env): number {
  const raw = envValue(env, "PORT");
  if (raw === undefined) return 3000;
  if (!/^\d+$/.test(raw) || Number(raw) > 65535) {
    throw new ConfigError(`PORT must be a TCP port number from 0 to 65535 (got "${raw}")`);
  }
  return Number(raw);
}

function parseDatabase(env: Env): DatabaseConfig {
  const url = envValue(env, "DATABASE_URL");
  if (url === undefined) return { kind: "embedded", dataDir: path.resolve(envValue(env, "DATA_DIR") ?? "./data") };
  if (!/^postgres(ql)?:\/\//.test(url)) {
    throw new ConfigError(
      "DATABASE_URL must be a PostgreSQL URL starting with postgres:// or postgresql:// (unset it to use the embedded database)",
    );
  }
  try {
    new URL(url);
  } catch {
    throw new ConfigError("DATABASE_URL is not a valid URL (check that special characters in the password are %-encoded)");
  }
  return { kind: "external", url };
}

function parseLogLevel(env: Env): LogLevel {
  const raw = (envValue(env, "LOG_LEVEL") ?? "info").toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(raw)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")} (got "${raw}")`);
  }
  return raw as LogLevel;
}

// ---------- the YAML file ----------

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
});

const fileSchema = z.strictObject({
  announce_channel: z
    .string({ error: "expected a channel id (C0123ABCD) or a channel name" })
    .trim()
    .transform((s) => s.replace(/^#/, ""))
    .pipe(
      z
        .string()
        .regex(/^(?:[CG][A-Z0-9]{6,}|[a-z0-9_-]{1,80})$/, "expected a channel id (C0123ABCD) or a channel name (lowercase, digits, - and _)"),
    )
    .optional(),
  timezone: z
    .string({ error: "expected an IANA time zone such as Europe/Paris" })
    .trim()
    .refine((tz) => IANAZone.isValidZone(tz), { error: (i) => `expected an IANA time zone such as Europe/Paris or UTC (got "${String(i.input)}")` })
    .default("UTC"),
  channel_prefix: z
    .string({ error: "expected a channel prefix such as inc" })
    .trim()
    .regex(/^[a-z0-9][a-z0-9_-]{0,19}$/, "expected lowercase letters, digits, - or _ (at most 20 characters), such as inc")
    .default("inc"),
  severities: z
    .array(severitySchema, { error: "expected a list of severities" })
    .min(1, "expected at least one severity")
    .max(10, "at most 10 severities fit the declare form")
    .optional(),
  postmortem_due: isoDuration("postmortem_due").prefault("P2D"),
  archive_after: isoDuration("archive_after").optional(),
  templates_dir: z.string({ error: "expected a directory path" }).trim().min(1).default("./templates"),
});

function formatPath(p: readonly PropertyKey[]): string {
  let out = "";
  for (const part of p) out += typeof part === "number" ? `[${part}]` : out === "" ? String(part) : `.${String(part)}`;
  return out;
}

function fileIssue(file: string, issue: z.core.$ZodIssue): string {
  const where = formatPath(issue.path);
  if (issue.code === "unrecognized_keys") {
    const keys = issue.keys.map((k) => `"${k}"`).join(", ");
    const scope = where === "" ? "" : ` in ${where}`;
    return `${file}: unknown key ${keys}${scope}; check the spelling against incident.config.example.yml`;
  }
  return `${file}: ${where === "" ? "(top level)" : where}: ${issue.message}`;
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
    }),
  );
}

export function readIncidentSettings(file: string | undefined, baseDir: string): IncidentSettings {
  let data: unknown = {};
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
    throw new ConfigError(issue ? fileIssue(file ?? "config", issue) : `${file}: invalid`);
  }
  const v = parsed.data;
  if (file !== undefined && (data as Record<string, unknown>)["templates_dir"] !== undefined) {
    const dir = path.resolve(baseDir, v.templates_dir);
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
      throw new ConfigError(`${file}: templates_dir: ${dir} is not a directory (leave templates_dir out to use the built-in templates)`);
    }
  }
  const severities = v.severities ? toLadder(v.severities) : DEFAULT_SEVERITIES;
  const seen = new Map<string, number>();
  severities.forEach((s, i) => {
    const key = severityKey(s.id);
    const prev = seen.get(key);
    if (prev !== undefined) {
      throw new ConfigError(`${file}: severities[${i}].id: "${s.id}" repeats severities[${prev}].id; ids must be unique`);
    }
    seen.set(key, i);
  });
  return deepFreeze({
    ...(v.announce_channel !== undefined ? { announceChannel: v.announce_channel } : {}),
    timezone: v.timezone,
    channelPrefix: v.channel_prefix,
    severities,
    postmortemDue: v.postmortem_due,
    ...(v.archive_after !== undefined ? { archiveAfter: v.archive_after } : {}),
    templatesDir: path.resolve(baseDir, v.templates_dir),
  });
}

function resolveConfigFile(env: Env): string | undefined {
  const explicit = envValue(env, "INCIDENT_CONFIG");
  const file = path.resolve(explicit ?? "./incident.config.yml");
  if (fs.existsSync(file)) {
    if (!fs.statSync(file).isFile()) throw new ConfigError(`INCIDENT_CONFIG: ${file} is not a file`);
    return file;
  }
  if (explicit !== undefined) throw new ConfigError(`INCIDENT_CONFIG names ${file}, which does not exist`);
  return undefined;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value) && !Duration.isDuration(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** Reads and validates everything. Throws ConfigError with a one-line message. */
export function loadConfig(env: Env = process.env): Config {
  const botToken = requireToken(env, "SLACK_BOT_TOKEN", "xoxb-");
  const appTokenRaw = envValue(env, "SLACK_APP_TOKEN");
  const appToken = appTokenRaw === undefined ? undefined : requireToken(env, "SLACK_APP_TOKEN", "xapp-");
  const signingSecret =
    appToken === undefined ? requireToken(env, "SLACK_SIGNING_SECRET", undefined) : envValue(env, "SLACK_SIGNING_SECRET");
  const apiUrl = parseApiUrl(env);
  const port = parsePort(env);
  const database = parseDatabase(env);
  const logLevel = parseLogLevel(env);
  const configFile = resolveConfigFile(env);
  const incident = readIncidentSettings(configFile, configFile ? path.dirname(configFile) : process.cwd());
  return deepFreeze({
    slack: {
      botToken,
      ...(signingSecret !== undefined ? { signingSecret } : {}),
      ...(appToken !== undefined ? { appToken } : {}),
      apiUrl,
      socketMode: appToken !== undefined,
    },
    port,
    database,
    logLevel,
    ...(configFile !== undefined ? { configFile } : {}),
    incident,
  });
}
