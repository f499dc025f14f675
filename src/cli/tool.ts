// What the database tools (backup, restore, db:copy) share: the database the bot's environment
// names, one plain line on failure, figures people can read.

import { ConfigError } from "../config/errors.ts";
import { parseDatabase, parseLogLevel } from "../config/env.ts";
import { createLogger, type Logger, sentenceDestination } from "../log.ts";
import { BackupError, type TableSummary } from "../store/backup/tables.ts";
import { EmbeddedPostgresError, openEmbeddedForTool } from "../store/embedded/server.ts";
import type { PoolConfig } from "pg";

export interface ToolDatabase {
  readonly connection: PoolConfig;
  /** How to name it to people: DATA_DIR's path, or the URL without its password. */
  readonly where: string;
  close(): Promise<void>;
}

export function fail(tool: string, message: string): never {
  process.stderr.write(`warroom ${tool}: ${message}\n`);
  process.exit(1);
}

/** Runs a tool: its own problems are one line and exit code 1, anything else a logged crash. */
export async function runTool(tool: string, body: (log: Logger) => Promise<void>): Promise<void> {
  let log: Logger;
  try {
    // the tools speak in plain lines; the log carries only warnings (the embedded server, migrations)
    // unless LOG_LEVEL asks for more, and says them as sentences on stderr, never JSON
    log = createLogger(process.env.LOG_LEVEL ? parseLogLevel(process.env) : "warn", sentenceDestination(tool));
  } catch (err) {
    if (err instanceof ConfigError) fail(tool, err.message);
    throw err;
  }
  try {
    await body(log);
  } catch (err) {
    log.flush();
    if (err instanceof BackupError || err instanceof EmbeddedPostgresError || err instanceof ConfigError) fail(tool, err.message);
    if ((err as { code?: string }).code === "ENOENT" || (err as { code?: string }).code === "EACCES") fail(tool, (err as Error).message);
    const pgMessage = (err as { code?: string }).code !== undefined ? (err as Error).message : undefined;
    if (pgMessage) fail(tool, `the database refused: ${pgMessage}`);
    throw err;
  }
  log.flush();
}

/** The URL as it may be shown: the password left out. */
export function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "";
    return u.toString().replace(/:@/, "@");
  } catch {
    return "(an unparsable URL)";
  }
}

/**
 * The bot's own database, as DATABASE_URL or DATA_DIR name it. An embedded one is made only for a
 * restore (`create`); the others need one that exists.
 */
export async function botDatabase(log: Logger, whileRunning: "share" | "refuse", opts: { create: boolean } = { create: false }): Promise<ToolDatabase> {
  const config = parseDatabase(process.env);
  if (config.kind === "external") {
    return { connection: { connectionString: config.url }, where: `the database at ${describeUrl(config.url)}`, close: async () => undefined };
  }
  const access = await openEmbeddedForTool(config.dataDir, log, whileRunning, opts);
  return {
    connection: access.connection,
    where: `the embedded database in DATA_DIR ${config.dataDir}${access.sharedWith ? ` (shared with the running Warroom, pid ${access.sharedWith})` : ""}`,
    close: () => access.close(),
  };
}

export function tableLines(tables: TableSummary[]): string {
  const width = Math.max(...tables.map((t) => t.name.length), 5);
  return tables.map((t) => `  ${t.name.padEnd(width)}  ${t.rows.toLocaleString("en-US").padStart(11)} rows  ${t.checksum}`).join("\n");
}

export const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

export function usage(tool: string, text: string, args: string[]): string {
  if (args.includes("--help") || args.includes("-h")) {
    process.stdout.write(`${text}\n`);
    process.exit(0);
  }
  if (args.length !== 1 || (args[0] as string).startsWith("-")) fail(tool, `${args.length === 0 ? "missing argument" : `unexpected arguments: ${args.join(" ")}`}\n${text}`);
  return args[0] as string;
}
