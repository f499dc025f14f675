// What a journey works with: built once in warroom.ts, passed in, never imported as singletons.

import type { AssistantClient, AssistantFeature } from "../assistant/client.ts";
import type { Prompts } from "../assistant/prompts.ts";
import type { Clock } from "../clock.ts";
import type { Config } from "../config/index.ts";
import type { Logger } from "../log.ts";
import type { Metrics } from "../metrics.ts";
import type { BotIdentity, SlackApi } from "../slack/api.ts";
import type { ChannelResolver } from "../slack/channels.ts";
import type { SlackOnce } from "../slack/once.ts";
import type { StatusPageSettings } from "../config/sections/status-page.ts";
import type { StatuspageClient } from "../statuspage/client.ts";
import type { UserDirectory } from "../slack/users.ts";
import type { Tracker } from "../trackers/tracker.ts";
import type { GithubContents } from "../trackers/github.ts";
import type pg from "pg";
import type { Db } from "../store/database.ts";
import type { StatsReport } from "../store/stats.ts";

export interface Ctx {
  readonly config: Config;
  readonly log: Logger;
  readonly db: Db;
  /** Connections reserved for recording requests before they are acknowledged. */
  readonly requests: pg.Pool;
  readonly slack: SlackApi;
  readonly once: SlackOnce;
  readonly users: UserDirectory;
  readonly channels: ChannelResolver;
  readonly clock: Clock;
  /** The last 30 days' numbers, kept a minute (the App Home's line). */
  readonly recentStats: RecentNumbers;
  readonly metrics: Metrics;
  readonly bot: BotIdentity;
  /** The status page's API, when `statuspage:` is configured. */
  readonly statuspage?: StatuspageClient;
  /** The tracker action items become issues in, when `followups:` is configured. */
  readonly tracker?: Tracker;
  /** The repository postmortems are committed to, when `postmortem_repo:` is configured. */
  readonly postmortemRepo?: GithubContents;
  /** The status page Warroom serves itself, when `status_page:` is configured: told when it changes. */
  readonly ownPage?: { readonly settings: StatusPageSettings; changed(): void };
  /** The assistant (its model and prompts), when AI_BASE_URL and AI_MODEL are set. */
  readonly assistant?: { readonly client: AssistantClient; readonly prompts: Prompts; readonly budgetsMs: Readonly<Record<AssistantFeature, number>> };
  /** Sends webhook deliveries from this process (poked by the webhooks.deliver job). */
  readonly webhooks?: { poke(endpointKey: string): void };
  /** Asks this process's worker to run newly enqueued jobs now. */
  kick(): void;
}

/** The last 30 days' numbers, kept a while (numbers/stats.ts keeps them; declared here so nothing circles). */
export interface RecentNumbers {
  get(ctx: Ctx): Promise<StatsReport>;
}
