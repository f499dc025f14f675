// The Bolt app: HTTP receiver (requests arrive through our own server, see src/http-server.ts) or
// Socket Mode when SLACK_APP_TOKEN is set. Bolt never calls auth.test itself: we pass the bot's ids
// from our own check at start. A global middleware tracks in-flight work so shutdown can wait for it.

import { App, HTTPReceiver, type Receiver, SocketModeReceiver } from "@slack/bolt";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Config } from "../../config/index.ts";
import type { Logger } from "../../log.ts";
import { type BotIdentity, slackLogger } from "../../slack/api.ts";


export interface SlackApp {
  readonly app: App;
  /** HTTP mode: the handler for POST /slack/events. */
  readonly requestListener?: (req: IncomingMessage, res: ServerResponse) => void;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Resolves when every listener that has started has finished. */
  drain(): Promise<void>;
  /** Listeners running now. */
  inFlight(): number;
}

type SlackEventArgs = { type: string; body: unknown; ack: (response?: Record<string, unknown>) => Promise<void> };

/**
 * Socket Mode: Bolt acknowledges an Events API envelope before any listener runs, so events are taken
 * from it: recorded by `recordEvent` first, acknowledged after (unacknowledged, Slack delivers the
 * envelope again). Commands and interactivity still go through Bolt, whose listeners record, then ack.
 * Every envelope's acknowledgement is timed from its arrival (`answered`), as HTTP requests are.
 */
function takeEnvelopes(receiver: SocketModeReceiver, recordEvent: ((body: unknown) => Promise<void>) | undefined, log: Logger, answered?: (seconds: number) => void): void {
  const client = receiver.client;
  const bolts = client.listeners("slack_event") as ((args: SlackEventArgs) => Promise<void>)[];
  client.removeAllListeners("slack_event");
  const handle = async (envelope: SlackEventArgs): Promise<void> => {
    const started = performance.now();
    const args: SlackEventArgs = {
      ...envelope,
      ack: async (response) => {
        await envelope.ack(response);
        answered?.((performance.now() - started) / 1000);
      },
    };
    if (args.type !== "events_api" || !recordEvent) {
      for (const listener of bolts) await listener(args);
      return;
    }
    try {
      await recordEvent(args.body);
    } catch (err) {
      log.error({ err }, "could not record an event; not acknowledged, so Slack delivers it again");
      return;
    }
    await args.ack().catch((err: unknown) => log.warn({ err }, "could not acknowledge a recorded event (Slack delivers it again; recorded once)"));
  };
  client.on("slack_event", (args: SlackEventArgs) => {
    handle(args).catch((err: unknown) => log.error({ err }, "a Socket Mode envelope failed"));
  });
}

export interface SlackAppOptions {
  /** Records an Events API envelope before it is acknowledged (Socket Mode). */
  recordEvent?: (body: unknown) => Promise<void>;
  /** Told how long each Socket Mode envelope took to be acknowledged (HTTP requests are timed by the server). */
  answered?: (seconds: number) => void;
}

export function createSlackApp(config: Config, log: Logger, bot: BotIdentity, opts: SlackAppOptions = {}): SlackApp {
  const logger = slackLogger(log, "bolt");
  let receiver: Receiver;
  let httpReceiver: HTTPReceiver | undefined;
  if (config.slack.socketMode) {
    const socket = new SocketModeReceiver({
      appToken: config.slack.appToken as string,
      logger,
      installerOptions: { clientOptions: { slackApiUrl: config.slack.apiUrl } },
    });
    takeEnvelopes(socket, opts.recordEvent, log, opts.answered);
    receiver = socket;
  } else {
    httpReceiver = new HTTPReceiver({
      signingSecret: config.slack.signingSecret as string,
      endpoints: "/slack/events",
      logger,
      processBeforeResponse: false,
      // Slack's own payloads are small; anything near this is not from Slack
      bodyLimit: 1024 * 1024,
      unhandledRequestTimeoutMillis: 2800,
    });
    receiver = httpReceiver;
  }

  const app = new App({
    receiver,
    token: config.slack.botToken,
    botId: bot.botId,
    botUserId: bot.userId,
    logger,
    convoStore: false,
    clientOptions: { slackApiUrl: config.slack.apiUrl, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true },
    extendedErrorHandler: true,
  });

  const inFlight = new Set<Promise<unknown>>();
  app.use(async ({ next }) => {
    const p = next();
    inFlight.add(p);
    try {
      await p;
    } finally {
      inFlight.delete(p);
    }
  });

  app.error(async (args) => {
    const { error, body } = args as unknown as { error: Error; body?: { type?: string; command?: string } };
    const b = body;
    log.error({ err: error, payloadType: b?.type ?? (b?.command ? "slash_command" : undefined) }, "unhandled error in a Slack listener");
  });

  return {
    app,
    ...(httpReceiver ? { requestListener: httpReceiver.requestListener } : {}),
    async start() {
      if (config.slack.socketMode) await app.start();
    },
    async stop() {
      if (config.slack.socketMode) await app.stop();
    },
    inFlight: () => inFlight.size,
    async drain() {
      while (inFlight.size > 0) await Promise.allSettled(inFlight);
    },
  };
}
