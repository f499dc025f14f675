// A bot process for a benchmark, as `npm start` runs it: talking to the bench's fake Slack, on the
// given database, with the given config file and whatever else the section needs.

import type { FakeSlack } from "../src/local-slack/server.ts";
import { type BotProcess, spawnBot } from "../test/support/bot-process.ts";
import { SIGNING_SECRET } from "../test/support/harness.ts";

export function spawnBenchBot(fake: FakeSlack, databaseUrl: string, configFile: string, extra: Record<string, string> = {}): Promise<BotProcess> {
  return spawnBot({
    SLACK_BOT_TOKEN: fake.botToken,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: fake.apiUrl,
    DATABASE_URL: databaseUrl,
    INCIDENT_CONFIG: configFile,
    LOG_LEVEL: "warn",
    ...extra,
  });
}
