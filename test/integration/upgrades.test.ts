// Upgrades from a real earlier release: the database Warroom v0.1.0 wrote (test/fixtures/v0.1.0, a
// whole incident and one still open) is migrated by today's migrations with nothing lost — every row of
// every table it had, every value of every column, under the column's new name where one was renamed —
// and today's bot then works on it.

import fs from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { createLogger } from "../../src/log.ts";
import { applyPendingMigrations, loadMigrationList } from "../../src/store/migrate.ts";
import { ROOT } from "../support/bot-process.ts";
import { createEmptyDatabase, pgServers, type TestDatabase } from "../support/databases.ts";
import { type Harness, startHarness } from "../support/harness.ts";
import { until } from "../support/wait.ts";

const FIXTURE = path.join(ROOT, "test", "fixtures", "v0.1.0", "database.sql");
const V010_MIGRATIONS = ["20261123195532_init", "20261123204124_reminders"];

/** Columns renamed since v0.1.0 (table.column → new name), and those dropped, which it never wrote. */
const RENAMED: Record<string, string> = { "incidents.commander_id": "ic_id", "incidents.summary": "status_summary" };
const DROPPED_NEVER_WRITTEN = ["incidents.resolved_by", "incidents.closed_by"];

type Rows = Record<string, Record<string, unknown>[]>;

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Every row of every table (but Prisma's own), as text values, in a stable order. */
async function everyRow(c: pg.Client): Promise<Rows> {
  const tables = await c.query<{ name: string }>("SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' AND tablename <> '_prisma_migrations' ORDER BY 1");
  const rows: Rows = {};
  for (const { name } of tables.rows) {
    const r = await c.query(`SELECT to_jsonb(t) AS row FROM "${name}" t ORDER BY to_jsonb(t)::text`);
    rows[name] = r.rows.map((x: { row: Record<string, unknown> }) => x.row);
  }
  return rows;
}

const databases: TestDatabase[] = [];
let harness: Harness | undefined;
afterAll(async () => {
  await harness?.stop();
  for (const d of databases) await d.drop();
});

describe.each(pgServers().map((s) => [s.name, s] as const))("the v0.1.0 database on %s", (_name, server) => {
  it("is migrated forward with every row and value kept, and today's bot works on it", async () => {
    const database = await createEmptyDatabase(server);
    databases.push(database);
    const sql = await fs.readFile(FIXTURE, "utf8");
    await withClient(database.url, (c) => c.query(sql));
    const before = await withClient(database.url, everyRow);
    expect(before.incidents).toHaveLength(2);
    expect(before.timeline_entries?.length).toBeGreaterThanOrEqual(13);

    const applied = await applyPendingMigrations({ connectionString: database.url }, createLogger("warn"));
    const ours = (await loadMigrationList()).migrationDirectories.map((d) => d.path);
    expect(applied).toEqual(ours.filter((m) => !V010_MIGRATIONS.includes(m)));
    const after = await withClient(database.url, everyRow);

    // the one migration that writes rows: each incident gets a job to work its record out again
    const added = (after.jobs ?? []).filter((j) => !(before.jobs ?? []).some((o) => o.id === j.id));
    expect(added.map((j) => j.kind)).toEqual(["record.refresh", "record.refresh"]);
    for (const [table, rows] of Object.entries(before)) {
      expect(after[table], `table ${table}`).toHaveLength(rows.length + (table === "jobs" ? added.length : 0));
      const afterById = after[table] as Record<string, unknown>[];
      for (const old of rows) {
        // the same row today: every old value under its (new) name, whatever columns were added
        const expected = Object.fromEntries(
          Object.entries(old)
            .filter(([col, value]) => {
              if (!DROPPED_NEVER_WRITTEN.includes(`${table}.${col}`)) return true;
              expect(value, `${table}.${col} was written by v0.1.0 and is dropped`).toBeNull();
              return false;
            })
            .map(([col, value]) => [RENAMED[`${table}.${col}`] ?? col, value]),
        );
        expect(afterById, `a row of ${table}`).toContainEqual(expect.objectContaining(expected));
      }
    }
    // what the new columns hold for old incidents follows from what was recorded
    const closed = (after.incidents ?? []).find((i) => i.status === "closed") as Record<string, unknown>;
    expect(closed).toMatchObject({ title: 'Checkout errors: 5xx on /pay & "cart" EU', ic_id: closed.declared_by, acknowledged_at: closed.declared_at, is_drill: false });
    // it never went to monitoring, so none is recorded (the record reads the resolve as mitigated)
    expect(closed.mitigated_at).toBeNull();

    // today's bot on the upgraded data: the open incident is listed, the next number follows on
    if (server.name !== pgServers()[0]?.name) return;
    harness = await startHarness({ database: { ...database, drop: async () => undefined } });
    const h = harness;
    const list = await h.slack.command("list", { user: h.users.alice.id, channel: h.general.id });
    expect(JSON.stringify(list.json)).toContain("Search is slow for some users");
    expect(JSON.stringify(list.json)).not.toContain("Checkout errors");
    await h.slack.command("declare sev3 The first incident after the upgrade", { user: h.users.alice.id, channel: h.general.id });
    const row = await until(() => h.db.incident.findFirst({ where: { title: "The first incident after the upgrade", openingTs: { not: null } } }), 15_000, "the new incident");
    expect(row.number).toBe(3);
  }, 120_000);
});
