// Entry point: read the configuration, start Warroom, stop it cleanly on SIGTERM/SIGINT.
// A configuration or start-up problem is one plain line on stderr and exit code 1, never a stack trace.

import { ConfigError, loadConfig } from "./config/index.ts";
import { StartupError } from "./deps.ts";
import { createLogger } from "./log.ts";
import { EmbeddedPostgresError } from "./store/embedded/server.ts";
import { startWarroom, type Warroom } from "./warroom.ts";

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

async function shutdown(reason: string, code: number): Promise<void> {
  log.info({ reason }, "shutting down");
  try {
    await warroom?.stop();
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
  warroom = await startWarroom(config, log);
  if (signalled) await warroom.stop();
} catch (err) {
  if (err instanceof StartupError || err instanceof EmbeddedPostgresError || err instanceof ConfigError) {
    log.flush();
    die(err.message);
  }
  log.fatal({ err }, "could not start");
  log.flush();
  process.exit(1);
}
