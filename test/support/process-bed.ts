// The set-up shared by the suites that run the bot as real processes (crashes, several processes,
// reminders across restarts): a fake Slack with people and channels, a folder with the config file,
// and the environment a bot process needs to reach them. Where the data lives is the suite's choice.

import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { type FakeSlack, startFakeSlack } from "../../src/local-slack/server.ts";
import type { FakeConversation, FakeUser } from "../../src/local-slack/workspace.ts";
import { createPrisma, type Db } from "../../src/store/database.ts";
import { type BotProcess, spawnBot } from "./bot-process.ts";
import { createTestDatabase, debianServer, type TestDatabase } from "./databases.ts";
import { SIGNING_SECRET } from "./harness.ts";
import { SlackRequests } from "../../src/local-slack/deliver.ts";

export interface ProcessBed {
  readonly fake: FakeSlack;
  /** A folder of the suite's own (mode 755, so the embedded server's user can reach a DATA_DIR in it). */
  readonly dir: string;
  readonly configFile: string;
  readonly users: Record<string, FakeUser>;
  /** Channels made for the suite, by name (the bot is a member). */
  readonly channels: Record<string, FakeConversation>;
  readonly general: FakeConversation;
  /** #incidents, the announce channel when the config names it. */
  readonly announce: FakeConversation;
  /** The environment of a bot process talking to the fake, plus `extra` (the database, the log level). */
  env(extra: Record<string, string>): Record<string, string>;
  /** Starts a bot process and waits until it answers. */
  spawn(extra: Record<string, string>, timeoutMs?: number): Promise<BotProcess>;
  /** Signed Slack requests to one bot (or a load balancer in front of several). */
  requests(url: string): SlackRequests;
  stop(): Promise<void>;
}

/** The config file's text, or a function of the bed's people and channels (for ids in it). */
type ConfigYaml = string | ((made: { users: Record<string, FakeUser>; channels: Record<string, FakeConversation> }) => string);

export async function startProcessBed(opts: { name: string; configYaml: ConfigYaml; people?: string[]; channels?: string[] }): Promise<ProcessBed> {
  const fake = await startFakeSlack();
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), `warroom-${opts.name}-`));
  await fs.chmod(dir, 0o755);
  const users = Object.fromEntries((opts.people ?? ["alice", "bob"]).map((name) => [name, fake.ws.addUser(name)]));
  const general = fake.ws.addChannel("general", { members: Object.values(users).map((u) => u.id) });
  const announce = fake.ws.addChannel("incidents", {});
  const channels = Object.fromEntries((opts.channels ?? []).map((name) => [name, fake.ws.addChannel(name, { members: [fake.ws.botUserId] })]));
  const configFile = path.join(dir, "incident.config.yml");
  await fs.writeFile(configFile, typeof opts.configYaml === "string" ? opts.configYaml : opts.configYaml({ users, channels }));
  const env = (extra: Record<string, string>) => ({
    SLACK_BOT_TOKEN: fake.botToken,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: fake.apiUrl,
    INCIDENT_CONFIG: configFile,
    LOG_LEVEL: "warn",
    // as in the harness: on where a suite is about pacing (alerts-process)
    SLACK_PACING: "off",
    ...extra,
  });
  return {
    fake,
    dir,
    configFile,
    users,
    channels,
    general,
    announce,
    env,
    async spawn(extra, timeoutMs = 60_000) {
      const bot = await spawnBot(env(extra));
      await bot.waitUntilUp(timeoutMs);
      return bot;
    },
    requests: (url) => new SlackRequests(url, SIGNING_SECRET, fake),
    async stop() {
      await fake.stop();
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}

/** A bed with a throwaway Debian PostgreSQL database, and the bot processes started on it. */
export interface ProcessSuite {
  readonly bed: ProcessBed;
  readonly database: TestDatabase;
  /** The suite's own connection, to check what the bots recorded. */
  readonly db: Db;
  /** Starts a bot on the suite's database with the suite's environment and `extra`; stopped with the suite. */
  spawn(extra?: Record<string, string>): Promise<BotProcess>;
  /** Kills the bots still running, drops the database, stops the bed. */
  stop(): Promise<void>;
}

export async function startProcessSuite(opts: Parameters<typeof startProcessBed>[0] & { env?: Record<string, string> }): Promise<ProcessSuite> {
  const bed = await startProcessBed(opts);
  const database = await createTestDatabase(debianServer());
  const db = createPrisma({ connectionString: database.url }, 2);
  const bots: BotProcess[] = [];
  return {
    bed,
    database,
    db,
    async spawn(extra = {}) {
      const bot = await bed.spawn({ DATABASE_URL: database.url, ...opts.env, ...extra });
      bots.push(bot);
      return bot;
    },
    async stop() {
      for (const b of bots) if (b.proc.exitCode === null && b.proc.signalCode === null) b.kill("SIGTERM");
      await Promise.all(bots.map((b) => b.exited));
      await db.$disconnect();
      await database.drop();
      await bed.stop();
    },
  };
}
