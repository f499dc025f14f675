// Starts and stops the whole bot: dependencies, the Slack app and its listeners, the HTTP server,
// the scheduler. Used by main.ts and, in-process, by the end-to-end tests.

import type { Clock } from "./clock.ts";
import type { Config } from "./config.ts";
import { buildDeps, type Deps } from "./deps.ts";
import { type HttpServer, startHttpServer } from "./http-server.ts";
import type { Logger } from "./log.ts";
import { createSlackApp } from "./slack/app.ts";
import { registerListeners } from "./slack/listeners/index.ts";

export interface Warroom {
  readonly port: number;
  readonly deps: Deps;
  stop(): Promise<void>;
}

export interface StartOptions {
  clock?: Clock;
}

export async function startWarroom(config: Config, log: Logger, opts: StartOptions = {}): Promise<Warroom> {
  const started = Date.now();
  const deps = await buildDeps(config, log, opts.clock ? { clock: opts.clock } : {});
  const slackApp = createSlackApp(config, log, deps.bot);
  registerListeners(slackApp.app, deps);

  let http: HttpServer | undefined;
  try {
    http = await startHttpServer({
      port: config.port,
      log,
      healthy: () => deps.database.healthy(),
      ...(slackApp.requestListener ? { slackEvents: slackApp.requestListener } : {}),
    });
    await slackApp.start();
  } catch (err) {
    await http?.close();
    await deps.database.close();
    throw err;
  }
  log.info(
    { port: http.port, mode: config.slack.socketMode ? "socket" : "http", database: deps.database.embedded ? "embedded" : "external", startMs: Date.now() - started },
    "Warroom is up",
  );

  let stopping: Promise<void> | undefined;
  const server = http;
  return {
    port: server.port,
    deps,
    stop() {
      stopping ??= (async () => {
        log.info("stopping");
        await server.close();
        await slackApp.stop();
        await slackApp.drain();
        await deps.database.close();
        log.info("stopped");
      })();
      return stopping;
    },
  };
}
