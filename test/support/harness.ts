// The end-to-end test bed: a fake Slack, a fresh database, and the real bot started in-process on an
// ephemeral port, talked to over HTTP with signed requests. Nothing of ours is mocked.

import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { loadConfig } from "../../src/config/index.ts";
import { createLogger, type Logger } from "../../src/log.ts";
import type { Db } from "../../src/store/database.ts";
import { startWarroom, type StartOptions, type Warroom } from "../../src/warroom.ts";
import { startFakeSlack, type FakeSlack } from "../../src/local-slack/server.ts";
import type { FakeConversation, FakeUser } from "../../src/local-slack/workspace.ts";
import { createTestDatabase, embeddedServer, type PgServer, type TestDatabase } from "./databases.ts";
import { SlackRequests } from "../../src/local-slack/deliver.ts";

export const SIGNING_SECRET = "test-signing-secret-0123456789abcdef";

export interface HarnessOptions {
  /** The YAML config file's content, if any. */
  configYaml?: string;
  env?: Record<string, string>;
  server?: PgServer;
  start?: StartOptions;
  /** Reuse a database (e.g. to restart the bot on the same data). */
  database?: TestDatabase;
  fake?: FakeSlack;
  /** Timeout of the bot's Slack calls (for tests of Slack not answering). */
  slackTimeoutMs?: number;
}

export interface Harness {
  readonly fake: FakeSlack;
  readonly bot: Warroom;
  readonly slack: SlackRequests;
  readonly db: Db;
  readonly database: TestDatabase;
  readonly url: string;
  /** Everything the bot logged, one parsed JSON object per line. */
  readonly logs: Record<string, unknown>[];
  readonly users: { alice: FakeUser; bob: FakeUser; carol: FakeUser; dave: FakeUser };
  readonly general: FakeConversation;
  stop(): Promise<void>;
}

export class LogCapture extends Writable {
  readonly lines: Record<string, unknown>[] = [];
  override _write(chunk: Buffer, _enc: string, done: () => void): void {
    for (const line of chunk.toString("utf8").split("\n")) {
      if (line.trim()) {
        try {
          this.lines.push(JSON.parse(line) as Record<string, unknown>);
        } catch {
          this.lines.push({ raw: line });
        }
      }
    }
    done();
  }
}

export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const fake = opts.fake ?? (await startFakeSlack());
  const database = opts.database ?? (await createTestDatabase(opts.server ?? embeddedServer()));
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "warroom-harness-"));
  const configFile = path.join(dir, "incident.config.yml");
  // always a file of our own, so a developer's ./incident.config.yml never leaks into a test
  await fs.writeFile(configFile, opts.configYaml ?? "{}\n");
  const config = loadConfig({
    SLACK_BOT_TOKEN: fake.botToken,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: fake.apiUrl,
    PORT: "0",
    DATABASE_URL: database.url,
    INCIDENT_CONFIG: configFile,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "info",
    // the fake enforces no rate limits unless a test asks: suites that declare dozens of incidents a
    // minute are not about pacing. The alerts suites turn it on (TEST_SLACK_PACING=on: every suite).
    SLACK_PACING: process.env.TEST_SLACK_PACING ?? "off",
    ...opts.env,
  });
  const capture = new LogCapture();
  const log: Logger = createLogger(config.logLevel, capture);
  // quick retries and polling keep tests short; the behaviour is the production code's
  const bot = await startWarroom(config, log, { ...opts.start, ...(opts.slackTimeoutMs ? { slackTimeoutMs: opts.slackTimeoutMs } : {}), worker: { pollMs: 100, baseBackoffMs: 200, maxBackoffMs: 2000, ...opts.start?.worker } });
  const url = `http://127.0.0.1:${bot.port}`;

  const existing = (name: string) => [...fake.ws.users.values()].find((u) => u.name === name);
  const users = {
    alice: existing("alice") ?? fake.ws.addUser("alice"),
    bob: existing("bob") ?? fake.ws.addUser("bob"),
    carol: existing("carol") ?? fake.ws.addUser("carol"),
    dave: existing("dave") ?? fake.ws.addUser("dave"),
  };
  const general =
    fake.ws.channelByName("general") ?? fake.ws.addChannel("general", { members: Object.values(users).map((u) => u.id), creator: users.alice.id });

  let stopped = false;
  return {
    fake,
    bot,
    slack: new SlackRequests(url, SIGNING_SECRET, fake),
    db: bot.deps.database.prisma,
    database,
    url,
    logs: capture.lines,
    users,
    general,
    async stop() {
      if (stopped) return;
      stopped = true;
      await bot.stop();
      if (!opts.fake) await fake.stop();
      if (!opts.database) await database.drop();
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}
