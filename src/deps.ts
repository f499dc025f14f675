// The one place where real things are constructed: the database (embedded or external), the Slack
// client, the bot's identity, the clock. Everything else receives them as arguments.

import { Foreground } from "./foreground.ts";
import { setTimeout as sleep } from "node:timers/promises";
import { type Clock, systemClock } from "./clock.ts";
import type { Config } from "./config/index.ts";
import type { Logger } from "./log.ts";
import { Metrics } from "./metrics.ts";
import { type BotIdentity, isSlackError, SlackApi } from "./slack/api.ts";
import { type Database, openDatabase } from "./store/database.ts";
import type { PreparedDatabase } from "./store/prepare.ts";

export class StartupError extends Error {}

export interface Deps {
  readonly config: Config;
  readonly log: Logger;
  readonly database: Database;
  readonly slack: SlackApi;
  readonly bot: BotIdentity;
  readonly clock: Clock;
  readonly metrics: Metrics;
  /** Requests being answered: background work waits its turn (foreground.ts). */
  readonly foreground: Foreground;
}

/** Who the bot is, from auth.test; retried briefly so a blip at start does not stop the bot. */
async function identify(slack: SlackApi, config: Config, log: Logger): Promise<BotIdentity> {
  for (let attempt = 1; ; attempt++) {
    try {
      const r = await slack.call<{ ok: boolean; user_id?: string; bot_id?: string; team_id?: string; url?: string }>("auth.test");
      if (!r.user_id || !r.team_id) throw new StartupError("auth.test did not return the bot's user and team");
      return { userId: r.user_id, botId: r.bot_id ?? "", teamId: r.team_id, teamUrl: r.url ?? "https://slack.com/" };
    } catch (err) {
      if (isSlackError(err, "invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired")) {
        throw new StartupError(
          `SLACK_BOT_TOKEN was rejected by Slack (${err.code}): copy the Bot User OAuth Token again from your app's OAuth & Permissions page, and reinstall the app if it was revoked`,
        );
      }
      if (!isSlackError(err) || !err.transient || attempt >= 5) {
        const code = isSlackError(err) ? err.code : String(err);
        throw new StartupError(`could not reach Slack at ${config.slack.apiUrl} (auth.test: ${code}); check SLACK_API_URL and the network`);
      }
      log.warn({ attempt, code: err.code }, "Slack did not answer auth.test yet; retrying");
      await sleep(500 * 2 ** attempt);
    }
  }
}

export async function buildDeps(config: Config, log: Logger, overrides: { clock?: Clock; slackTimeoutMs?: number; prepared?: Promise<PreparedDatabase> } = {}): Promise<Deps> {
  const clock = overrides.clock ?? systemClock;
  const metrics = new Metrics(() => clock.now());
  const foreground = new Foreground();
  const slack = new SlackApi({
    onCall: (method, outcome, seconds) => metrics.slackCall(method, outcome, seconds),
    token: config.slack.botToken,
    clock,
    apiUrl: config.slack.apiUrl,
    pacing: config.slack.pacing,
    log,
    ...(overrides.slackTimeoutMs !== undefined ? { timeoutMs: overrides.slackTimeoutMs } : {}),
  });
  // who the bot is and the database, at the same time: a rejected token stops the start at once, and
  // the database, once open, is closed behind it
  const opening = openDatabase(config.database, log, overrides.prepared ? { prepared: overrides.prepared } : {});
  opening.catch(() => undefined);
  let bot: BotIdentity;
  try {
    bot = await identify(slack, config, log);
  } catch (err) {
    void opening.then((db) => db.close(), () => undefined);
    throw err;
  }
  const database = await opening;
  return { config, log, database, slack, bot, clock, metrics, foreground };
}
