// The start: `npm start`'s bot (the compiled dist/main.js with its flags, the build excluded) on an
// empty DATA_DIR to /healthz 200, cluster creation included, and again on the same DATA_DIR; with the
// steps read off the bot's own log lines.

import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { FakeSlack } from "../src/local-slack/server.ts";
import { spawnBot } from "../test/support/bot-process.ts";
import { SIGNING_SECRET } from "../test/support/harness.ts";

export interface StartFigures {
  /** Spawn to /healthz 200, ms. */
  readonly totalMs: number;
  /** The embedded server's own start (initdb on a first start), ms, from its log line. */
  readonly postgresMs: number;
  /** "embedded PostgreSQL is up" → "Warroom is up" (migrations, Slack's auth.test, the HTTP server), ms. */
  readonly afterPostgresMs: number;
}

export async function measureStart(fake: FakeSlack, rounds: number): Promise<{ first: StartFigures[]; restart: StartFigures[] }> {
  const first: StartFigures[] = [];
  const restart: StartFigures[] = [];
  for (let round = 0; round < rounds; round++) {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "warroom-bench-start-"));
    await fs.chmod(dir, 0o755);
    const config = path.join(dir, "incident.config.yml");
    await fs.writeFile(config, "{}\n");
    for (const into of [first, restart]) {
      const started = performance.now();
      const bot = await spawnBot({ DATA_DIR: path.join(dir, "data"), SLACK_BOT_TOKEN: fake.botToken, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: fake.apiUrl, INCIDENT_CONFIG: config });
      await bot.waitUntilUp(120_000);
      const totalMs = performance.now() - started;
      const records = bot.stdout.flatMap((l) => {
        try {
          return [JSON.parse(l) as { msg?: string; time?: string; startMs?: number }];
        } catch {
          return [];
        }
      });
      const pgUp = records.find((r) => r.msg === "embedded PostgreSQL is up");
      const up = records.find((r) => r.msg === "Warroom is up");
      into.push({ totalMs, postgresMs: pgUp?.startMs ?? Number.NaN, afterPostgresMs: new Date(up?.time ?? 0).getTime() - new Date(pgUp?.time ?? 0).getTime() });
      bot.kill("SIGTERM");
      await bot.exited;
    }
    await fs.rm(dir, { recursive: true, force: true });
  }
  return { first, restart };
}
