// The bot as `npm start` runs it: start-up problems are one line naming what to fix; it answers
// Slack within 3 seconds; and on the embedded database a restart keeps every row and applies no
// migration twice, after a clean stop, after SIGKILL of the bot, and after SIGKILL of the bot and
// its PostgreSQL server together.

import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadMigrationList } from "../../src/store/migrate.ts";
import { type FakeSlack, startFakeSlack } from "../../src/local-slack/server.ts";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { alive, embeddedConnection, postmasterPid, ROOT, spawnBot, waitForDeath } from "../support/bot-process.ts";
import { createTestDatabase, debianServer } from "../support/databases.ts";
import { SIGNING_SECRET } from "../support/harness.ts";
import { SlackRequests } from "../../src/local-slack/deliver.ts";

let fake: FakeSlack;
beforeAll(async () => {
  fake = await startFakeSlack();
});
afterAll(async () => {
  await fake?.stop();
});

describe("start-up problems", () => {
  it("exits 1 with one line naming SLACK_BOT_TOKEN when no Slack variables are set", async () => {
    const bot = await spawnBot({});
    expect(await bot.exited).toBe(1);
    expect(bot.stderr).toHaveLength(1);
    expect(bot.stderr[0]).toMatch(/^warroom: SLACK_BOT_TOKEN is not set: it is the Bot User OAuth Token/);
    expect(bot.stdout).toHaveLength(0);
  });

  it("exits 1 with one line naming the file, the key and what was expected for a bad config file", async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "warroom-badcfg-"));
    const file = path.join(dir, "incident.config.yml");
    await fs.writeFile(file, "timezone: Europe/Paris\nseverities:\n  - id: SEV1\n    label: Critical\n    description: Down\n    cadence: every 30 minutes\n");
    const bot = await spawnBot({ SLACK_BOT_TOKEN: "xoxb-x", SLACK_SIGNING_SECRET: "s", INCIDENT_CONFIG: file });
    expect(await bot.exited).toBe(1);
    expect(bot.stderr).toEqual([
      `warroom: ${file}: line 6: severities[0].cadence: expected an ISO-8601 duration such as PT30M, or null for no reminders (got "every 30 minutes")`,
    ]);
    await fs.rm(dir, { recursive: true });
  });

  it("exits 1 with one line when Slack rejects the token", async () => {
    const bot = await spawnBot({ SLACK_BOT_TOKEN: "xoxb-wrong", SLACK_SIGNING_SECRET: "s", SLACK_API_URL: fake.apiUrl, DATABASE_URL: "postgres://unused/x" });
    expect(await bot.exited).toBe(1);
    expect(bot.stderr).toEqual([expect.stringMatching(/^warroom: SLACK_BOT_TOKEN was rejected by Slack \(invalid_auth\)/)]);
  });
});

describe("on the embedded database", () => {
  let dataDir: string;
  const env = () => ({ SLACK_BOT_TOKEN: fake.botToken, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: fake.apiUrl, DATA_DIR: dataDir, INCIDENT_CONFIG: path.join(dataDir, "..", "none.yml") });

  beforeAll(async () => {
    const parent = await fs.mkdtemp(path.join(os.tmpdir(), "warroom-proc-"));
    // as root the server runs as `postgres`, which must be able to reach DATA_DIR
    await fs.chmod(parent, 0o755);
    dataDir = path.join(parent, "data");
    await fs.writeFile(path.join(parent, "none.yml"), "");
  });
  afterAll(async () => {
    const pid = await postmasterPid(dataDir);
    if (pid && alive(pid)) process.kill(pid, "SIGQUIT");
    await fs.rm(path.dirname(dataDir), { recursive: true, force: true });
  });

  async function query<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> {
    const client = new pg.Client(await embeddedConnection(dataDir));
    await client.connect();
    try {
      return (await client.query<T>(sql, params)).rows;
    } finally {
      await client.end();
    }
  }

  async function startAndCheck(label: string): Promise<Awaited<ReturnType<typeof spawnBot>>> {
    const bot = await spawnBot(env());
    await bot.waitUntilUp();
    expect((await fetch(`${bot.url}/healthz`)).status, label).toBe(200);
    const alice = fake.ws.addUser(`alice-${label}`);
    const res = await new SlackRequests(bot.url, SIGNING_SECRET, fake).command("help", { user: alice.id, channel: "C0NOWHERE" });
    expect(res.status, label).toBe(200);
    expect(res.ms, label).toBeLessThan(3000);
    expect(JSON.stringify(res.json), label).toContain("/incident declare");
    return bot;
  }

  async function migrationsApplied(): Promise<Record<string, number>> {
    const rows = await query<{ migration_name: string; n: number }>("SELECT migration_name, count(*)::int AS n FROM _prisma_migrations GROUP BY 1");
    return Object.fromEntries(rows.map((r) => [r.migration_name, r.n]));
  }

  it("starts, answers /incident help within 3 seconds, and keeps its data across every kind of restart", async () => {
    const expected = Object.fromEntries((await loadMigrationList()).migrationDirectories.map((d) => [d.path, 1]));

    // 1. first start creates the cluster and applies the migrations
    let bot = await startAndCheck("first start");
    await query("INSERT INTO workspace_counters (team_id, last_number) VALUES ('T-first', 1)");
    expect(await migrationsApplied()).toEqual(expected);

    // 2. clean stop: exit 0, and no server left behind
    const pm1 = (await postmasterPid(dataDir)) as number;
    bot.kill("SIGTERM");
    expect(await bot.exited).toBe(0);
    expect(await waitForDeath(pm1)).toBe(true);

    bot = await startAndCheck("after a clean stop");
    await query("INSERT INTO workspace_counters (team_id, last_number) VALUES ('T-clean', 2)");

    // 3. SIGKILL of the bot alone: its server is orphaned, and the next start adopts or replaces it
    const pm2 = (await postmasterPid(dataDir)) as number;
    bot.kill("SIGKILL");
    await bot.exited;
    expect(alive(pm2)).toBe(true);
    bot = await startAndCheck("after SIGKILL of the bot");
    await query("INSERT INTO workspace_counters (team_id, last_number) VALUES ('T-killed', 3)");

    // 4. SIGKILL of the bot and its server together: stale lock file, crash recovery
    const pm3 = (await postmasterPid(dataDir)) as number;
    bot.kill("SIGKILL");
    process.kill(pm3, "SIGKILL");
    await bot.exited;
    await waitForDeath(pm3);
    bot = await startAndCheck("after SIGKILL of the bot and its server");

    const rows = await query<{ team_id: string }>("SELECT team_id FROM workspace_counters ORDER BY last_number");
    expect(rows.map((r) => r.team_id)).toEqual(["T-first", "T-clean", "T-killed"]);
    expect(await migrationsApplied()).toEqual(expected);

    // a second bot on the same DATA_DIR is refused, and the first carries on
    const second = await spawnBot(env());
    expect(await second.exited).toBe(1);
    expect(second.stderr).toEqual([expect.stringMatching(/^warroom: another Warroom \(pid \d+\) is running on DATA_DIR /)]);
    expect((await fetch(`${bot.url}/healthz`)).status).toBe(200);

    const pm4 = (await postmasterPid(dataDir)) as number;
    bot.kill("SIGINT");
    expect(await bot.exited).toBe(0);
    expect(await waitForDeath(pm4)).toBe(true);
  });

  it("stops the server it started for a start that fails (a rejected token), and the next start works", async () => {
    // the server starts while the bot loads, so a start that then fails must stop it (on a cluster
    // that exists: a first start's initdb outlasts the token's refusal)
    const first = await startAndCheck("before a failed start");
    first.kill("SIGTERM");
    expect(await first.exited).toBe(0);
    const bot = await spawnBot({ ...env(), SLACK_BOT_TOKEN: "xoxb-wrong" });
    expect(await bot.exited).toBe(1);
    expect(bot.stderr).toEqual([expect.stringMatching(/^warroom: SLACK_BOT_TOKEN was rejected by Slack \(invalid_auth\)/)]);
    expect(await postmasterPid(dataDir), "no server left running").toBeUndefined();
    const next = await startAndCheck("after a failed start");
    next.kill("SIGTERM");
    expect(await next.exited).toBe(0);
  });

  it("refuses a DATA_DIR cluster it cannot use with one line", async () => {
    const parent = await fs.mkdtemp(path.join(os.tmpdir(), "warroom-proc-"));
    await fs.chmod(parent, 0o755);
    await fs.mkdir(path.join(parent, "data", "postgres"), { recursive: true });
    await fs.writeFile(path.join(parent, "data", "postgres", "junk"), "x");
    await fs.writeFile(path.join(parent, "none.yml"), "");
    const bot = await spawnBot({ ...env(), DATA_DIR: path.join(parent, "data"), INCIDENT_CONFIG: path.join(parent, "none.yml") });
    expect(await bot.exited).toBe(1);
    expect(bot.stderr).toEqual([expect.stringMatching(/^warroom: .*data\/postgres exists but holds no PostgreSQL cluster \(no PG_VERSION\)/)]);
    await fs.rm(parent, { recursive: true, force: true });
  });

  // a DATA_DIR out of the postgres user's reach is handled by moving the cluster (root-home.test.ts);
  // when the place it would move to is out of reach too, one line says what to do
  it.runIf(process.getuid?.() === 0)("as root, explains a DATA_DIR the postgres user cannot reach when its state directory is out of reach too", async () => {
    const parent = await fs.mkdtemp(path.join(os.tmpdir(), "warroom-proc-"));
    await fs.chmod(parent, 0o700);
    await fs.writeFile(path.join(parent, "none.yml"), "");
    const bot = await spawnBot({ ...env(), DATA_DIR: path.join(parent, "data"), WARROOM_ROOT_STATE_DIR: path.join(parent, "state"), INCIDENT_CONFIG: path.join(parent, "none.yml") });
    expect(await bot.exited).toBe(1);
    expect(bot.stderr).toEqual([
      expect.stringMatching(/^warroom: running as root, the embedded PostgreSQL runs as the "postgres" user, which cannot reach .*state.* because .*warroom-proc-\w+ is not searchable by other users; make it searchable \(chmod o\+x\), set WARROOM_ROOT_STATE_DIR/),
    ]);
    await fs.rm(parent, { recursive: true, force: true });
  });
});

describe("npm run db:migration", () => {
  const run = promisify(execFile);
  const script = (args: string[], env: Record<string, string> = {}) =>
    run(process.execPath, ["--import", "tsx", "scripts/db-migration.ts", ...args], { cwd: ROOT, env: { ...process.env, ...env } });

  it("writes nothing when the schema matches the migrations", async () => {
    const db = await createTestDatabase(debianServer());
    try {
      const { stdout } = await script(["nothing_changed"], { DATABASE_URL: db.url });
      expect(stdout.trim()).toBe("prisma/schema.prisma matches the migrations; nothing to write.");
    } finally {
      await db.drop();
    }
  });

  it("refuses a migration name it would not want in a folder name", async () => {
    await expect(script(["Bad Name!"])).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining("usage: npm run db:migration -- <name>") });
  });
});
