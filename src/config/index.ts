// Configuration: environment variables (env.ts) and the optional YAML file (file.ts), parsed once
// with zod into one frozen object. Any problem becomes a ConfigError whose message is a single line
// naming the variable, or the file, line and key, and what was expected; main prints it and exits.

import fs from "node:fs";
import path from "node:path";
import { Duration } from "luxon";
import type { LogLevel } from "../log.ts";
import { type DatabaseConfig, type Env, envValue, optionalSecret, parseApiUrl, parseDatabase, parseHost, parseLogLevel, parsePort, parseSwitch, parseTimeScale, requireToken } from "./env.ts";
import { ConfigError } from "./errors.ts";
import { type IncidentSettings, readIncidentSettings, scaleSettings } from "./file.ts";

export { ConfigError } from "./errors.ts";
export type { DatabaseConfig } from "./env.ts";
export type { IncidentSettings } from "./file.ts";

export interface Config {
  readonly slack: {
    readonly botToken: string;
    readonly signingSecret?: string;
    readonly appToken?: string;
    readonly apiUrl: string;
    readonly socketMode: boolean;
    /** Keep inside Slack's rate limits (SLACK_PACING, default on). */
    readonly pacing: boolean;
  };
  readonly port: number;
  /** The address to bind (HOST); unset: every interface. */
  readonly host?: string;
  /** WARROOM_TIME_SCALE: 1, or how many times faster the incident settings' durations already run. */
  readonly timeScale: number;
  readonly database: DatabaseConfig;
  readonly logLevel: LogLevel;
  /** The config file that was read, if any. */
  readonly configFile?: string;
  readonly incident: IncidentSettings;
  /** The HTTP API's bearer token (WARROOM_API_TOKEN); unset: the API is off. */
  readonly apiToken?: string;
  /** Asked of GET /metrics (METRICS_TOKEN); unset: /metrics is open. */
  readonly metricsToken?: string;
  /** The bearer token of POST /hooks/alertmanager (WARROOM_ALERTS_TOKEN); unset: that door is closed. */
  readonly alertsToken?: string;
  /** The signing secret of PagerDuty's V3 webhooks (PAGERDUTY_WEBHOOK_SECRET); unset: closed. */
  readonly pagerdutySecret?: string;
  /** The signing secrets of the trackers' webhooks (GITHUB_/JIRA_/LINEAR_WEBHOOK_SECRET); unset: that door is closed. */
  readonly trackerSecrets: { readonly github?: string; readonly jira?: string; readonly linear?: string };
  /** Statuspage's API key (STATUSPAGE_API_KEY), with `statuspage:` in the file. */
  readonly statuspageKey?: string;
  /** The assistant's model (AI_BASE_URL, AI_MODEL, AI_API_KEY); unset: no assistant anywhere. */
  readonly assistant?: AssistantEndpoint;
}

export interface AssistantEndpoint {
  /** An OpenAI-compatible API, e.g. https://api.openai.com/v1 or http://localhost:11434/v1 (Ollama). */
  readonly baseUrl: string;
  readonly model: string;
  readonly apiKey?: string;
}

/** AI_BASE_URL with AI_MODEL turns the assistant on; one without the other is a mistake said plainly. */
function readAssistant(env: Env): AssistantEndpoint | undefined {
  const raw = envValue(env, "AI_BASE_URL");
  const model = envValue(env, "AI_MODEL");
  const apiKey = envValue(env, "AI_API_KEY");
  if (raw === undefined) {
    if (model !== undefined || apiKey !== undefined) throw new ConfigError(`${model !== undefined ? "AI_MODEL" : "AI_API_KEY"} is set but AI_BASE_URL is not: set AI_BASE_URL to your OpenAI-compatible API, e.g. https://api.openai.com/v1 or http://localhost:11434/v1 for Ollama (or unset both to keep the assistant off)`);
    return undefined;
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`AI_BASE_URL must be an http(s) URL such as https://api.openai.com/v1 or http://localhost:11434/v1 (got "${raw.slice(0, 80)}")`);
  }
  if ((url.protocol !== "https:" && url.protocol !== "http:") || url.hostname === "") throw new ConfigError(`AI_BASE_URL must be an http(s) URL such as https://api.openai.com/v1 or http://localhost:11434/v1 (got "${raw.slice(0, 80)}")`);
  if (url.username || url.password) throw new ConfigError("AI_BASE_URL must not carry a user or password: put the key in AI_API_KEY");
  if (model === undefined) throw new ConfigError("AI_MODEL is not set, but AI_BASE_URL is: name the model to use, e.g. gpt-4o-mini, or llama3.1 for Ollama");
  if (model.length > 200 || /\s/.test(model)) throw new ConfigError(`AI_MODEL must be a model's name without spaces, e.g. gpt-4o-mini (got "${model.slice(0, 60)}")`);
  if (apiKey !== undefined && /\s/.test(apiKey)) throw new ConfigError("AI_API_KEY contains whitespace: paste it again without spaces or line breaks");
  return { baseUrl: url.href.replace(/\/+$/, ""), model, ...(apiKey !== undefined ? { apiKey } : {}) };
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
  const host = parseHost(env);
  const timeScale = parseTimeScale(env);
  const database = parseDatabase(env);
  const logLevel = parseLogLevel(env);
  const apiToken = optionalSecret(env, "WARROOM_API_TOKEN", "the HTTP API's bearer token, e.g. openssl rand -hex 32");
  const metricsToken = optionalSecret(env, "METRICS_TOKEN", "the bearer token Prometheus sends to GET /metrics, e.g. openssl rand -hex 32");
  const alertsToken = optionalSecret(env, "WARROOM_ALERTS_TOKEN", "the bearer token Alertmanager or Grafana sends to POST /hooks/alertmanager, e.g. openssl rand -hex 32");
  const pagerdutySecret = optionalSecret(env, "PAGERDUTY_WEBHOOK_SECRET", "the signing secret PagerDuty shows when you create the V3 webhook subscription");
  const github = optionalSecret(env, "GITHUB_WEBHOOK_SECRET", "the secret you typed in the repository's webhook settings (Settings → Webhooks), e.g. openssl rand -hex 32");
  const jira = optionalSecret(env, "JIRA_WEBHOOK_SECRET", "the secret you typed in Jira's webhook settings (System → WebHooks), e.g. openssl rand -hex 32");
  const linear = optionalSecret(env, "LINEAR_WEBHOOK_SECRET", "the signing secret Linear shows for the webhook (Settings → API → Webhooks)");
  const trackerSecrets = { ...(github !== undefined ? { github } : {}), ...(jira !== undefined ? { jira } : {}), ...(linear !== undefined ? { linear } : {}) };
  const pacing = parseSwitch(env, "SLACK_PACING", true, "off only against a fake Slack without rate limits");
  const configFile = resolveConfigFile(env);
  const incident = scaleSettings(readIncidentSettings(configFile, configFile ? path.dirname(configFile) : process.cwd(), env), timeScale);
  const statuspageKey = envValue(env, "STATUSPAGE_API_KEY");
  const assistant = readAssistant(env);
  if (incident.statuspage && statuspageKey === undefined) {
    throw new ConfigError(`STATUSPAGE_API_KEY is not set, but ${configFile ?? "the config file"} has statuspage: it is an API key from your Statuspage account (your avatar → API info)`);
  }
  if (statuspageKey !== undefined && /\s/.test(statuspageKey)) throw new ConfigError("STATUSPAGE_API_KEY contains whitespace: paste it again without spaces or line breaks");
  if ((alertsToken !== undefined || pagerdutySecret !== undefined) && incident.alerts.triageChannel === undefined) {
    throw new ConfigError(
      `${alertsToken !== undefined ? "WARROOM_ALERTS_TOKEN" : "PAGERDUTY_WEBHOOK_SECRET"} is set, so alerts need a triage channel: set alerts.triage_channel (or announce_channel) in ${configFile ?? "incident.config.yml"}`,
    );
  }
  return deepFreeze({
    slack: {
      botToken,
      ...(signingSecret !== undefined ? { signingSecret } : {}),
      ...(appToken !== undefined ? { appToken } : {}),
      apiUrl,
      socketMode: appToken !== undefined,
      pacing,
    },
    port,
    ...(host !== undefined ? { host } : {}),
    timeScale,
    database,
    logLevel,
    ...(configFile !== undefined ? { configFile } : {}),
    incident,
    ...(apiToken !== undefined ? { apiToken } : {}),
    ...(metricsToken !== undefined ? { metricsToken } : {}),
    ...(alertsToken !== undefined ? { alertsToken } : {}),
    ...(pagerdutySecret !== undefined ? { pagerdutySecret } : {}),
    trackerSecrets,
    ...(incident.statuspage && statuspageKey !== undefined ? { statuspageKey } : {}),
    ...(assistant ? { assistant } : {}),
  });
}
