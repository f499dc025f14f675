// Entry point: read the configuration, start Warroom, stop it cleanly on SIGTERM/SIGINT.
// A configuration or start-up problem is one plain line on stderr and exit code 1, never a stack trace.
// The database is started (and migrated) first, while the rest of the bot is loaded: the two take about
// as long as each other, so the start is the longer of them rather than their sum.

import module from "node:module";
import { ConfigError, loadConfig } from "./config/index.ts";
import { createLogger } from "./log.ts";
import { EmbeddedPostgresError } from "./store/embedded/server.ts";
import { prepareDatabase } from "./store/prepare.ts";
import type { Warroom } from "./warroom.ts";

function die(message: string): never {
  process.stderr.write(`warroom: ${message}\n`);
  process.exit(1);
}

let config;
try {
  config = loadConfig();
} catch (err) {
  if (err instanceof ConfigError) die(err.message);
  throw err;
}

const log = createLogger(config.logLevel);
let warroom: Warroom | undefined;
let serverStarting!: () => void;
const starting = new Promise<void>((resolve) => (serverStarting = resolve));
const prepared = prepareDatabase(config.database, log, { starting: serverStarting });
// awaited by the start; a failure is reported there, not as an unhandled rejection meanwhile
prepared.catch(() => undefined);
/** Stops the embedded server this start began, when the bot it was for never came up. */
const stopPrepared = async () => {
  if (config.database.kind === "embedded") await prepared.then((p) => p.server?.stop(), () => undefined);
};

async function shutdown(reason: string, code: number): Promise<void> {
  log.info({ reason }, "shutting down");
  try {
    if (warroom) await warroom.stop();
    else await stopPrepared();
  } catch (err) {
    log.error({ err }, "error while stopping");
    code = code || 1;
  }
  log.flush();
  process.exit(code);
}

let signalled = false;
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => {
    if (signalled) {
      log.warn({ signal }, "second signal: exiting now");
      process.exit(130);
    }
    signalled = true;
    void shutdown(signal, 0);
  });
}
process.on("unhandledRejection", (err) => {
  log.fatal({ err }, "unhandled promise rejection");
  void shutdown("unhandledRejection", 1);
});
process.on("uncaughtException", (err) => {
  log.fatal({ err }, "uncaught exception");
  void shutdown("uncaughtException", 1);
});

try {
  // the bot's modules load (synchronous work, most of it) once the server's own process is starting;
  // on Node 22 and later from V8's code cache (in the system's temporary directory, or NODE_COMPILE_CACHE)
  await Promise.race([starting, prepared.then(() => undefined, () => undefined)]);
  (module as { enableCompileCache?: () => unknown }).enableCompileCache?.();
  const { startWarroom } = await import("./warroom.ts");
  warroom = await startWarroom(config, log, { prepared });
  if (signalled) await warroom.stop();
} catch (err) {
  await stopPrepared();
  const { StartupError } = await import("./deps.ts");
  if (err instanceof StartupError || err instanceof EmbeddedPostgresError || err instanceof ConfigError) {
    log.flush();
    die(err.message);
  }
  log.fatal({ err }, "could not start");
  log.flush();
  process.exit(1);
}
