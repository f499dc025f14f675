// Starts and stops the whole bot: dependencies, the Slack app and its listeners, the HTTP server,
// the job worker. Used by main.ts and, in-process, by the end-to-end tests.

import type { AssistantFeature } from "./assistant/client.ts";
import { Prompts } from "./assistant/prompts.ts";
import { type Clock, systemClock } from "./clock.ts";
import type { Config } from "./config/index.ts";
import { buildDeps, type Deps } from "./deps.ts";
import { apiDoor } from "./edge/api/index.ts";
import { alertmanagerDoor, pagerdutyDoor, trackerDoors } from "./edge/hooks/index.ts";
import { type HttpServer, startHttpServer } from "./edge/http-server.ts";
import { metricsDoor } from "./edge/metrics/index.ts";
import { metricsSource } from "./store/metrics.ts";
import type { PreparedDatabase } from "./store/prepare.ts";
import type { Ctx } from "./incidents/context.ts";
import { jobHandlers, reportBlockedJob, reportDeadJob } from "./incidents/catalogue.ts";
import type { Logger } from "./log.ts";
import { startHousekeeping } from "./scheduler/housekeeping.ts";
import { planDigest } from "./incidents/numbers/digest.ts";
import { resumeWebhooks, WebhookDispatcher } from "./incidents/out/webhooks.ts";
import { StatuspageClient } from "./statuspage/client.ts";
import { loadPostmortemRepo, loadTracker } from "./trackers/index.ts";
import { StatusSite } from "./pages/status/site.ts";
import { statusDoors } from "./edge/status/index.ts";
import { insightsDoors } from "./edge/insights/index.ts";
import { RecentStats } from "./incidents/numbers/stats.ts";
import { Liveness } from "./scheduler/liveness.ts";
import { Worker, type WorkerOptions } from "./scheduler/worker.ts";
import { createSlackApp } from "./edge/slack/app.ts";
import { ChannelResolver } from "./slack/channels.ts";
import { eventsRequestHandler, recordEvent } from "./edge/slack/events.ts";
import { registerListeners } from "./edge/slack/listeners/index.ts";
import { SlackOnce } from "./slack/once.ts";
import { UserDirectory } from "./slack/users.ts";

export interface Warroom {
  readonly port: number;
  readonly deps: Deps;
  readonly ctx: Ctx;
  readonly worker: Worker;
  stop(): Promise<void>;
}

export interface StartOptions {
  clock?: Clock;
  worker?: WorkerOptions;
  /** How long the assistant's questions may take (tests of a model that never answers). */
  assistantBudgetsMs?: Partial<Record<AssistantFeature, number>>;
  /** Timeout of a Slack Web API call (default 10 s). */
  slackTimeoutMs?: number;
  /** The database, already being started and migrated (src/main.ts begins it before loading the bot). */
  prepared?: Promise<PreparedDatabase>;
}

export async function startWarroom(config: Config, log: Logger, opts: StartOptions = {}): Promise<Warroom> {
  const started = Date.now();
  // the prompts are checked before anything starts: one that does not parse stops the bot, named
  const prompts = config.assistant ? new Prompts(config.incident.templatesDir) : undefined;
  const deps = await buildDeps(config, log, {
    ...(opts.clock ? { clock: opts.clock } : {}),
    ...(opts.slackTimeoutMs !== undefined ? { slackTimeoutMs: opts.slackTimeoutMs } : {}),
    ...(opts.prepared ? { prepared: opts.prepared } : {}),
  });
  const db = deps.database.prisma;
  let worker: Worker | undefined;
  let dispatcher: WebhookDispatcher | undefined;
  const pageSettings = config.incident.statusPage;
  const site = pageSettings ? new StatusSite(db, pageSettings, config.incident.timezone, deps.clock, log) : undefined;
  // the trackers' and the model's SDKs are large (the Linear SDK alone is 6 MB of source held in
  // memory): each is loaded only when the config turns it on
  const tracker = config.incident.followups ? await loadTracker(config.incident.followups.tracker) : undefined;
  const postmortemRepo = config.incident.postmortemRepo ? await loadPostmortemRepo(config.incident.postmortemRepo) : undefined;
  const model = config.assistant ? await import("./assistant/client.ts") : undefined;
  const ctx: Ctx = {
    config,
    log,
    db,
    requests: deps.database.requests,
    slack: deps.slack,
    once: new SlackOnce(db, deps.slack, deps.clock, log, deps.bot.userId),
    users: new UserDirectory(deps.slack, log, deps.clock),
    channels: new ChannelResolver(deps.slack, log),
    clock: deps.clock,
    recentStats: new RecentStats(),
    metrics: deps.metrics,
    bot: deps.bot,
    ...(config.incident.statuspage && config.statuspageKey
      ? { statuspage: new StatuspageClient({ apiUrl: config.incident.statuspage.apiUrl, pageId: config.incident.statuspage.pageId, key: config.statuspageKey }) }
      : {}),
    ...(tracker ? { tracker } : {}),
    ...(postmortemRepo ? { postmortemRepo } : {}),
    ...(site ? { ownPage: { settings: site.settings, changed: () => site.changed() } } : {}),
    ...(config.assistant && prompts && model
      ? { assistant: { client: new model.AssistantClient(config.assistant, deps.metrics.assistant(), log), prompts, budgetsMs: { ...model.ASSISTANT_BUDGETS_MS, ...opts.assistantBudgetsMs } } }
      : {}),
    webhooks: { poke: (key: string) => dispatcher?.poke(key) },
    // a change just saved may carry webhook events: the dispatcher looks at once, without waiting for
    // its wake-up job to get a worker slot (the job is what makes it durable)
    kick: () => {
      worker?.kick();
      dispatcher?.pokeAll();
    },
  };
  dispatcher = new WebhookDispatcher(ctx);
  deps.metrics.readFrom(metricsSource(db));
  const slackApp = createSlackApp(config, log, deps.bot, {
    recordEvent: async (body) => {
      await recordEvent(ctx, body);
    },
    answered: (seconds) => deps.metrics.ackDuration.observe({ surface: "slack" }, seconds),
  });
  worker = new Worker(db, deps.clock, log, jobHandlers(ctx), {
    ...opts.worker,
    onDead: (job, err) => reportDeadJob(ctx, job, err),
    onBlocked: (job, err) => reportBlockedJob(ctx, job, err),
    requestsInFlight: () => slackApp.inFlight(),
    foreground: deps.foreground,
    live: true,
    listen: deps.database.connection,
  });
  const liveness = new Liveness(deps.database.connection, log);
  let stopHousekeeping = () => undefined as void;

  registerListeners(slackApp.app, ctx);

  let http: HttpServer | undefined;
  try {
    site?.start();
    http = await startHttpServer({
      port: config.port,
      ...(config.host !== undefined ? { host: config.host } : {}),
      log,
      healthy: () => deps.database.healthy(),
      // Bolt checks the same signature window against the system clock; the two must agree
      replayClock: systemClock,
      doors: [apiDoor(ctx, config.apiToken), alertmanagerDoor(ctx, config.alertsToken), pagerdutyDoor(ctx, config.pagerdutySecret), ...trackerDoors(ctx, config.trackerSecrets), metricsDoor(deps.metrics, config.metricsToken), ...(site ? statusDoors(site) : []), ...insightsDoors(ctx, config.apiToken)],
      answered: (surface, seconds) => deps.metrics.ackDuration.observe({ surface }, seconds),
      foreground: deps.foreground,
      ...(slackApp.requestListener ? { slackEvents: slackApp.requestListener, slackEventCallbacks: eventsRequestHandler(ctx, config.slack.signingSecret as string) } : {}),
    });
    await slackApp.start();
    // before the first claim: other processes see this worker alive from now on, and the worker frees
    // the leases of any that are not (a bot that died, this one's previous run included)
    await liveness.hold(worker.id);
    worker.start();
    await planDigest(ctx);
    await resumeWebhooks(ctx);
    dispatcher.start(worker.id);
    // the App Home's line of the last 30 days is ready before the first person opens it
    ctx.recentStats.get(ctx).catch((err: unknown) => log.warn({ err }, "could not work out the last 30 days' numbers"));
    stopHousekeeping = startHousekeeping(db, deps.clock, log);
  } catch (err) {
    site?.stop();
    await http?.close();
    await dispatcher.stop();
    await worker.stop();
    await liveness.release();
    await deps.database.close();
    throw err;
  }
  log.info(
    { port: http.port, mode: config.slack.socketMode ? "socket" : "http", database: deps.database.embedded ? "embedded" : "external", startMs: Date.now() - started },
    "Warroom is up",
  );

  let stopping: Promise<void> | undefined;
  const server = http;
  const w = worker;
  return {
    port: server.port,
    deps,
    ctx,
    worker: w,
    stop() {
      stopping ??= (async () => {
        log.info("stopping");
        await server.close();
        await slackApp.stop();
        await slackApp.drain();
        stopHousekeeping();
        site?.stop();
        await dispatcher?.stop();
        await w.stop();
        await liveness.release();
        await deps.database.close();
        log.info("stopped");
      })();
      return stopping;
    },
  };
}
