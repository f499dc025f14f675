// The environment variables: Slack credentials, the API URL, the port, the database, the log level.
// Each problem is one line naming the variable and how to fix it.

import path from "node:path";
import type { LogLevel } from "../log.ts";
import { ConfigError } from "./errors.ts";

export type DatabaseConfig = { kind: "embedded"; dataDir: string } | { kind: "external"; url: string };

const HOW_TO = {
  SLACK_BOT_TOKEN:
    "the Bot User OAuth Token (xoxb-…) from your Slack app's OAuth & Permissions page, after installing the app to your workspace",
  SLACK_SIGNING_SECRET: "the Signing Secret from your Slack app's Basic Information page (App Credentials)",
  SLACK_APP_TOKEN:
    "an app-level token (xapp-…) with the connections:write scope, from your Slack app's Basic Information page (App-Level Tokens)",
};


const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

export type Env = Record<string, string | undefined>;

export function envValue(env: Env, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v.trim() === "" ? undefined : v.trim();
}

export function requireToken(env: Env, name: keyof typeof HOW_TO, prefix: string | undefined): string {
  const value = envValue(env, name);
  if (value === undefined) throw new ConfigError(`${name} is not set: it is ${HOW_TO[name]}`);
  if (prefix !== undefined && !value.startsWith(prefix)) {
    throw new ConfigError(`${name} must start with ${prefix} (its value does not): it is ${HOW_TO[name]}`);
  }
  if (/\s/.test(value)) throw new ConfigError(`${name} contains whitespace: paste it again without spaces or line breaks`);
  return value;
}

export function parseApiUrl(env: Env): string {
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

export function parsePort(env: Env): number {
  const raw = envValue(env, "PORT");
  if (raw === undefined) return 3000;
  if (!/^\d+$/.test(raw) || Number(raw) > 65535) {
    throw new ConfigError(`PORT must be a TCP port number from 0 to 65535 (got "${raw}")`);
  }
  return Number(raw);
}

/** The address the HTTP server binds (HOST): unset, every interface; 127.0.0.1 keeps it on loopback. */
export function parseHost(env: Env): string | undefined {
  const raw = envValue(env, "HOST");
  if (raw === undefined) return undefined;
  if (!/^[A-Za-z0-9.:-]{1,253}$/.test(raw)) throw new ConfigError(`HOST must be an address to listen on, such as 127.0.0.1 or ::1 (got "${raw.slice(0, 60)}")`);
  return raw;
}

/**
 * WARROOM_TIME_SCALE: how many times faster the incident clock's durations run (cadences, response
 * windows, postmortem due, archiving). 1 in production; the playground's --fast sets 60.
 */
export function parseTimeScale(env: Env): number {
  const raw = envValue(env, "WARROOM_TIME_SCALE");
  if (raw === undefined) return 1;
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > 3600) {
    throw new ConfigError(`WARROOM_TIME_SCALE must be a whole number from 1 to 3600 (got "${raw.slice(0, 40)}"): 1 is real time, 60 runs every cadence a minute to the hour`);
  }
  return Number(raw);
}

export function parseDatabase(env: Env): DatabaseConfig {
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

export function parseLogLevel(env: Env): LogLevel {
  const raw = (envValue(env, "LOG_LEVEL") ?? "info").toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(raw)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")} (got "${raw}")`);
  }
  return raw as LogLevel;
}


/** A secret given in the environment (an API token): at least 16 characters, no whitespace. */
export function optionalSecret(env: Env, name: string, what: string): string | undefined {
  const value = envValue(env, name);
  if (value === undefined) return undefined;
  if (/\s/.test(value)) throw new ConfigError(`${name} contains whitespace: set it again without spaces or line breaks`);
  if (value.length < 16) throw new ConfigError(`${name} is too short to be safe: use at least 16 random characters (${what})`);
  return value;
}

/** An on/off switch such as SLACK_PACING (on, off, true, false, 1, 0). */
export function parseSwitch(env: Env, name: string, fallback: boolean, what: string): boolean {
  const raw = envValue(env, name);
  if (raw === undefined) return fallback;
  const v = raw.toLowerCase();
  if (["on", "true", "1", "yes"].includes(v)) return true;
  if (["off", "false", "0", "no"].includes(v)) return false;
  throw new ConfigError(`${name} must be on or off (got "${raw.slice(0, 40)}"): ${what}`);
}
