// Backups and moving out, as an operator runs them: `npm run backup` while the bot works, `npm run
// restore` into an empty DATA_DIR or database, `npm run db:copy` from the embedded database to an
// external one; and each refusing what it must refuse. The tools run as the processes npm runs.

import { spawn } from "node:child_process";
import fs from "node:fs/promises";
import path from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../src/log.ts";
import { createPrisma, type Db } from "../../src/store/database.ts";
import { openEmbeddedForTool, startEmbeddedPostgres } from "../../src/store/embedded/server.ts";
import type { FakeConversation, FakeUser } from "../../src/local-slack/workspace.ts";
import { type BotProcess, ROOT } from "../support/bot-process.ts";
import { createEmptyDatabase, debianServer, type TestDatabase } from "../support/databases.ts";
import { duplicatesIn, effectKeys } from "../support/effects.ts";
import { type ProcessBed, startProcessBed } from "../support/process-bed.ts";
import { sleep, until } from "../support/wait.ts";

const CONFIG = `
announce_channel: incidents
severities:
  - { id: SEV1, label: Critical, description: Down, cadence: PT15M, requires_ic: true }
  - { id: SEV3, label: Medium, description: Degraded, cadence: PT40S }
`;

let bed: ProcessBed;
let alice: FakeUser;
const bots: BotProcess[] = [];
const databases: TestDatabase[] = [];

beforeAll(async () => {
  bed = await startProcessBed({ name: "backups", configYaml: CONFIG, people: ["alice"] });
  alice = bed.users.alice as FakeUser;
}, 60_000);

afterAll(async () => {
  for (const b of bots) if (b.proc.exitCode === null && b.proc.signalCode === null) b.kill("SIGKILL");
  await Promise.all(bots.map((b) => b.exited));
  for (const d of databases) await d.drop();
  await bed?.stop();
});

interface ToolResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a database tool as `npm run backup|restore|db:copy` runs it (the built file). */
function tool(script: "backup" | "restore" | "db-copy", args: string[], env: Record<string, string>): Promise<ToolResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, "dist", "cli", `${script}.js`), ...args], {
      cwd: bed.dir,
      // as a person runs it: no LOG_LEVEL unless a test sets one
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

async function spawnOn(extra: Record<string, string>): Promise<BotProcess> {
  const bot = await bed.spawn({ LOG_LEVEL: "info", ...extra });
  bots.push(bot);
  return bot;
}

async function stop(bot: BotProcess): Promise<void> {
  bot.kill("SIGTERM");
  expect(await bot.exited).toBe(0);
}

/** Reads what an embedded DATA_DIR holds, with its server started here (no bot may run on it). */
async function readEmbedded<T>(dataDir: string, read: (db: Db) => Promise<T>): Promise<T> {
  const server = await startEmbeddedPostgres(dataDir, createLogger("warn"));
  const db = createPrisma(server.connection, 2);
  try {
    return await read(db);
  } finally {
    await db.$disconnect();
    await server.stop();
  }
}

async function declare(bot: BotProcess, text: string): Promise<void> {
  const res = await bed.requests(bot.url).command(`declare ${text}`, { user: alice.id, channel: bed.general.id });
  expect(res.status).toBe(200);
}

const incidentChannels = () => [...bed.fake.ws.conversations.values()].filter((c) => c.name.startsWith("inc-"));

async function tablesIn(url: string): Promise<number> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return Number((await c.query("SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'")).rows[0].n);
  } finally {
    await c.end();
  }
}

async function emptyDebianDatabase(): Promise<TestDatabase> {
  const d = await createEmptyDatabase(debianServer());
  databases.push(d);
  return d;
}

describe("npm run backup, then npm run restore", () => {
  const dataA = () => path.join(bed.dir, "data-a");
  const dataB = () => path.join(bed.dir, "data-b");
  const file = () => path.join(bed.dir, "warroom.backup");

  it("takes a consistent snapshot while incidents are being declared, and the restored bot carries on", async () => {
    const a = await spawnOn({ DATA_DIR: dataA() });
    await declare(a, "sev3 Before the backup one");
    await declare(a, "sev3 Before the backup two");
    // complete before the snapshot: each channel's opening message and checklist posted and pinned
    await until(() => incidentChannels().length === 2 && incidentChannels().every((c) => c.pins.size === 2), 20_000, "the first two incident channels, complete");

    // declarations keep arriving while the snapshot is taken
    const declaring = (async () => {
      for (let i = 0; i < 8; i++) {
        await declare(a, `sev3 During the backup ${i}`);
        await sleep(100);
      }
    })();
    await sleep(150);
    const backup = await tool("backup", [file()], { DATA_DIR: dataA() });
    await declaring;
    expect(backup.stderr).toBe("");
    expect(backup.code).toBe(0);
    expect(backup.stdout).toContain("shared with the running Warroom");
    expect(backup.stdout).toMatch(/warroom backup: \d+ tables, [\d,]+ rows, \d+ migrations → .*warroom\.backup/);
    await until(() => incidentChannels().length === 10, 30_000, "all ten incident channels");
    // a restore is refused while a bot runs on the DATA_DIR, and into a database with data
    const running = await tool("restore", [file()], { DATA_DIR: dataA() });
    expect(running.code).toBe(1);
    expect(running.stderr).toMatch(/^warroom restore: a Warroom \(pid \d+\) is running on DATA_DIR .*data-a: stop it first\n$/);
    await stop(a);
    const notEmpty = await tool("restore", [file()], { DATA_DIR: dataA() });
    expect(notEmpty.code).toBe(1);
    expect(notEmpty.stderr).toMatch(/^warroom restore: the embedded database in DATA_DIR .*data-a is not empty \(\d+ tables and sequences: .*\); load only into an empty database/);
    // a tool speaks in sentences: with LOG_LEVEL asking for info, its log lines are sentences on stderr too, never JSON
    const verbose = await tool("restore", [file()], { DATA_DIR: dataA(), LOG_LEVEL: "info" });
    expect(verbose.code).toBe(1);
    expect(verbose.stdout).toBe("");
    expect(verbose.stderr).toMatch(/^warroom restore: info: embedded PostgreSQL is up/m);
    expect(verbose.stderr).toMatch(/^warroom restore: the embedded database in DATA_DIR .*data-a is not empty/m);
    expect(verbose.stderr.split("\n").filter((l) => l !== "" && !l.startsWith("warroom restore: "))).toEqual([]);
    const channelsBefore = incidentChannels().length;

    const restore = await tool("restore", [file()], { DATA_DIR: dataB() });
    expect(restore.stderr).toBe("");
    expect(restore.code).toBe(0);
    expect(restore.stdout).toMatch(/incidents\s+\d+ rows\s+md5-sum:/);

    // the snapshot is one instant: every incident in it has its declaration on the timeline, and
    // the counter of numbers agrees with the incidents
    const restored = await readEmbedded(dataB(), async (db) => ({
      incidents: await db.incident.findMany({ select: { id: true, number: true, title: true } }),
      declaredEntries: await db.timelineEntry.count({ where: { kind: "declared" } }),
      counter: await db.workspaceCounter.findFirst(),
    }));
    const taken = restored.incidents.length;
    console.log(`backups: the snapshot holds ${taken} of the 10 incidents declared around it`);
    expect(taken).toBeGreaterThanOrEqual(2);
    expect(taken).toBeLessThanOrEqual(10);
    expect(restored.declaredEntries).toBe(taken);
    expect(restored.counter?.lastNumber).toBe(Math.max(...restored.incidents.map((i) => i.number)));
    const original = await readEmbedded(dataA(), (db) => db.incident.findMany({ where: { id: { in: restored.incidents.map((i) => i.id) } }, select: { id: true, title: true } }));
    expect(original).toHaveLength(taken);

    // the restored bot finishes what was in flight at the snapshot without doing anything twice,
    // takes updates in a restored incident, and declares the next number
    const b = await spawnOn({ DATA_DIR: dataB() });
    const shared = await openEmbeddedForTool(dataB(), createLogger("warn"), "share", { create: false });
    const dbB = createPrisma(shared.connection, 2);
    const first = await until(
      () => dbB.incident.findFirst({ where: { id: restored.incidents[0]?.id as string, channelId: { not: null }, openingTs: { not: null } } }),
      20_000,
      "a restored incident's channel",
    );
    await dbB.$disconnect();
    const channel = bed.fake.ws.conversations.get(first.channelId as string) as FakeConversation;
    const res = await bed.requests(b.url).command("update Restored and answering", { user: alice.id, channel: channel.id });
    expect(res.status).toBe(200);
    await until(() => channel.messages.find((m) => m.text.includes("Restored and answering")), 20_000, "the update in the restored incident");
    await declare(b, "sev3 After the restore");
    await until(() => incidentChannels().some((c) => c.name.includes("after-the-restore")), 20_000, "the incident declared after the restore");
    await sleep(1000);
    // only the new incident got a channel: the ones in flight at the snapshot found theirs
    expect(incidentChannels().length).toBe(channelsBefore + 1);
    // the incidents complete before the snapshot saw nothing repeated (work done after the snapshot
    // for one in flight may be done again: the restored bot returns to the snapshot's instant)
    for (const done of incidentChannels().filter((c) => c.name.includes("before-the-backup"))) expect(duplicatesIn(effectKeys(done))).toEqual([]);
    await stop(b);
  }, 180_000);

  it("refuses a damaged or foreign file and leaves the database empty, so the next restore can run", async () => {
    const target = await emptyDebianDatabase();
    const whole = gunzipSync(await fs.readFile(file()));
    const cut = path.join(bed.dir, "cut.backup");
    await fs.writeFile(cut, gzipSync(whole.subarray(0, Math.floor(whole.length * 0.6))));
    const damaged = await tool("restore", [cut], { DATABASE_URL: target.url });
    expect(damaged.code).toBe(1);
    expect(damaged.stderr).toMatch(/^warroom restore: .*cut short/);
    expect(await tablesIn(target.url)).toBe(0);

    const foreign = path.join(bed.dir, "notes.txt");
    await fs.writeFile(foreign, "these are not the rows you are looking for\n");
    const notGzip = await tool("restore", [foreign], { DATABASE_URL: target.url });
    expect(notGzip.code).toBe(1);
    expect(notGzip.stderr).toMatch(/^warroom restore: .*notes\.txt is not a Warroom backup/);
    const plain = path.join(bed.dir, "plain.gz");
    await fs.writeFile(plain, gzipSync("{\"hello\":1}\n"));
    const notBackup = await tool("restore", [plain], { DATABASE_URL: target.url });
    expect(notBackup.code).toBe(1);
    expect(notBackup.stderr).toMatch(/^warroom restore: line 1: not a Warroom backup's first line \(format: /);
    const missing = await tool("restore", [path.join(bed.dir, "nowhere.backup")], { DATABASE_URL: target.url });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^warroom restore: ENOENT.*nowhere\.backup/);
    const nowhere = await tool("backup", [path.join(bed.dir, "nothing.backup")], { DATA_DIR: path.join(bed.dir, "no-data-here") });
    expect(nowhere.code).toBe(1);
    expect(nowhere.stderr).toMatch(/^warroom backup: DATA_DIR .*no-data-here holds no embedded database/);
    await expect(fs.access(path.join(bed.dir, "no-data-here"))).rejects.toThrow();
    const noArg = await tool("restore", [], { DATABASE_URL: target.url });
    expect(noArg.code).toBe(1);
    expect(noArg.stderr).toContain("usage: npm run restore -- <file>");

    const good = await tool("restore", [file()], { DATABASE_URL: target.url });
    expect(good.stderr).toBe("");
    expect(good.code).toBe(0);
    expect(good.stdout).toContain("restored and checked");
    expect(await tablesIn(target.url)).toBeGreaterThan(10);
  }, 120_000);
});

describe("npm run db:copy", () => {
  it("moves the embedded database to an external PostgreSQL, where the bot carries on: every row there, each reminder once", async () => {
    const dataC = path.join(bed.dir, "data-c");
    const target = await emptyDebianDatabase();
    const a = await spawnOn({ DATA_DIR: dataC });
    await declare(a, "sev3 Moving house");
    await declare(a, "sev1 Moving house too");
    const channels = await until(() => {
      const found = incidentChannels().filter((c) => c.name.includes("moving-house"));
      return found.length === 2 && found.every((c) => c.messages.length > 0) ? found : undefined;
    }, 20_000, "the two incident channels");
    const moving = channels.find((c) => !c.name.includes("too")) as FakeConversation;
    await bed.requests(a.url).command("note Packed the boxes", { user: alice.id, channel: moving.id });
    await sleep(500);
    const running = await tool("db-copy", [target.url], { DATA_DIR: dataC });
    expect(running.code).toBe(1);
    expect(running.stderr).toMatch(/^warroom db:copy: a Warroom \(pid \d+\) is running on DATA_DIR .*data-c: stop it first\n$/);
    await stop(a);

    const source = await readEmbedded(dataC, async (db) => ({
      incidents: (await db.incident.findMany({ orderBy: { id: "asc" } })).map((i) => ({ ...i, updatedAt: undefined })),
      timeline: await db.timelineEntry.findMany({ orderBy: { id: "asc" } }),
      pending: await db.job.findMany({ where: { status: "pending" }, orderBy: { id: "asc" }, select: { id: true, kind: true, dueAt: true, dedupeKey: true } }),
    }));
    expect(source.pending.some((j) => j.kind.startsWith("reminder."))).toBe(true);

    const notUrl = await tool("db-copy", ["/tmp/somewhere"], { DATA_DIR: dataC });
    expect(notUrl.code).toBe(1);
    expect(notUrl.stderr).toMatch(/^warroom db:copy: the target must be a PostgreSQL URL/);
    // the throwaway cluster trusts loopback, so a password in the URL is accepted and ignored: the
    // output must not show it
    const withPassword = new URL(target.url);
    withPassword.password = "never-printed-7f3a";
    const copy = await tool("db-copy", [withPassword.toString()], { DATA_DIR: dataC });
    expect(copy.stderr).toBe("");
    expect(copy.code).toBe(0);
    expect(copy.stdout).toContain("every table's count and checksum match");
    expect(copy.stdout).toContain(`${withPassword.username}@${withPassword.host}`);
    expect(copy.stdout).not.toContain("never-printed-7f3a");
    const again = await tool("db-copy", [withPassword.toString()], { DATA_DIR: dataC });
    expect(again.stderr).not.toContain("never-printed-7f3a");
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/is not empty/);

    const db = createPrisma({ connectionString: target.url }, 2);
    try {
      expect((await db.incident.findMany({ orderBy: { id: "asc" } })).map((i) => ({ ...i, updatedAt: undefined }))).toEqual(source.incidents);
      expect(await db.timelineEntry.findMany({ orderBy: { id: "asc" } })).toEqual(source.timeline);
      expect(await db.job.findMany({ where: { status: "pending" }, orderBy: { id: "asc" }, select: { id: true, kind: true, dueAt: true, dedupeKey: true } })).toEqual(source.pending);

      const moved = await spawnOn({ DATABASE_URL: target.url });
      const reminder = source.pending.find((j) => j.kind.startsWith("reminder.")) as { dueAt: Date };
      await sleep(Math.max(0, reminder.dueAt.getTime() - Date.now()));
      await until(() => effectKeys(moving).some((k) => k.startsWith("reminder:") && k.endsWith(":update_due:1")), 20_000, "the reminder on the external database");
      // the ids go on from the copied ones
      await bed.requests(moved.url).command("note Unpacked", { user: alice.id, channel: moving.id });
      await until(() => db.timelineEntry.findFirst({ where: { text: { contains: "Unpacked" } } }), 10_000, "the note after the move");
      await sleep(1500);
      expect(effectKeys(moving).filter((k) => k.endsWith(":update_due:1"))).toHaveLength(1);
      expect(duplicatesIn(effectKeys(moving))).toEqual([]);
      await stop(moved);
    } finally {
      await db.$disconnect();
    }
  }, 180_000);
});

describe("a backup written at an earlier release's schema", () => {
  it("restores into this release: the backup's migrations, its rows, then the migrations since", async () => {
    // the database v0.1.0 wrote, backed up as it stands (two migrations applied)
    const old = await emptyDebianDatabase();
    const c = new pg.Client({ connectionString: old.url });
    await c.connect();
    await c.query(await fs.readFile(path.join(ROOT, "test", "fixtures", "v0.1.0", "database.sql"), "utf8"));
    await c.end();
    const file = path.join(bed.dir, "v0.1.0.backup");
    const backup = await tool("backup", [file], { DATABASE_URL: old.url });
    expect(backup.stderr).toBe("");
    expect(backup.stdout).toMatch(/, 2 migrations → /);
    const target = await emptyDebianDatabase();
    const restore = await tool("restore", [file], { DATABASE_URL: target.url });
    expect(restore.stderr).toBe("");
    expect(restore.code).toBe(0);
    const db = createPrisma({ connectionString: target.url }, 2);
    try {
      const migrations = await db.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM _prisma_migrations WHERE finished_at IS NOT NULL`;
      expect(migrations[0]?.n).toBe((await fs.readdir(path.join(ROOT, "prisma", "migrations"), { withFileTypes: true })).filter((e) => e.isDirectory()).length);
      const incidents = await db.incident.findMany({ orderBy: { number: "asc" } });
      expect(incidents.map((i) => [i.number, i.title, i.status])).toEqual([
        [1, 'Checkout errors: 5xx on /pay & "cart" EU', "closed"],
        [2, "Search is slow for some users", "investigating"],
      ]);
      // a renamed column carried its value across
      expect(incidents[0]?.icId).toBe(incidents[0]?.declaredBy);
      expect(await db.timelineEntry.count()).toBe(13);
    } finally {
      await db.$disconnect();
    }
  }, 120_000);
});
