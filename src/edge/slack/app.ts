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

export function createSlackApp(config: Config, log: Logger, bot: BotIdentity): SlackApp {
  const logger = slackLogger(log, "bolt");
  let receiver: Receiver;
  let httpReceiver: HTTPReceiver | undefined;
  if (config.slack.socketMode) {
    receiver = new SocketModeReceiver({
      appToken: config.slack.appToken as string,
      logger,
      installerOptions: { clientOptions: { slackApiUrl: config.slack.apiUrl } },
    });
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
