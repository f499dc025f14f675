// The stats' SQL against the domain's rules, on both PostgreSQL servers: incidents with every kind of
// timestamp set or defaulted are aggregated by PostgreSQL, and the numbers equal what the domain's
// effectiveTimestamps, durations and percentiles say of the same incidents.

import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DURATION_KEYS, durations, effectiveTimestamps, percentiles, recordedTimestamps } from "../../src/domain/record.ts";
import { createLogger } from "../../src/log.ts";
import { type Database, openDatabase } from "../../src/store/database.ts";
import { periodStats } from "../../src/store/stats.ts";
import { createTestDatabase, pgServers, type TestDatabase } from "../support/databases.ts";

const BOT = "UBOT";
const T = (m: number) => new Date(Date.UTC(2026, 0, 10, 12, 0) + m * 60_000);

describe.each(pgServers().map((s) => [s.name, s] as const))("on %s", (_name, server) => {
  let test: TestDatabase;
  let db: Database;
  beforeAll(async () => {
    test = await createTestDatabase(server);
    db = await openDatabase({ kind: "external", url: test.url }, createLogger("warn"));
  });
  afterAll(async () => {
    await db?.close();
    await test?.drop();
  });

  it("agrees with the domain on every duration's n, median and 90th percentile, and leaves drills out", async () => {
    const rows = [
      { declaredAt: T(0) },
      { declaredAt: T(10), detectedAt: T(5), impactStartedAt: T(1), resolvedAt: T(70) },
      { declaredAt: T(20), acknowledgedAt: T(25), mitigatedAt: T(40), resolvedAt: T(95), closedAt: T(200) },
      { declaredAt: T(30), declaredBy: BOT },
      { declaredAt: T(40), declaredBy: BOT, acknowledgedAt: T(52), detectedAt: T(33), resolvedAt: T(300) },
      { declaredAt: T(50), resolvedAt: T(51), punctKept: 2, punctMissed: 1 },
      { declaredAt: T(60), isDrill: true, resolvedAt: T(61) },
    ];
    let n = 0;
    for (const r of rows) {
      await db.prisma.incident.create({ data: { id: randomUUID(), teamId: "T1", number: ++n, title: `I${n}`, severity: n % 2 ? "SEV2" : "SEV3", declaredBy: "UPERSON", declareKey: randomUUID(), ...r } });
    }
    const s = await periodStats(db.prisma, "T1", T(-60), T(1000), BOT, "2026-01-10");
    const counted = rows.filter((r) => !r.isDrill);
    expect(s.total).toBe(counted.length);
    expect(s.bySeverity.reduce((a, b) => a + b.n, 0)).toBe(counted.length);
    const expected = counted.map((r) =>
      durations(
        effectiveTimestamps(
          recordedTimestamps({ impactStartedAt: null, detectedAt: null, acknowledgedAt: null, mitigatedAt: null, resolvedAt: null, closedAt: null, timestampSources: {}, declaredBy: "UPERSON", ...r }, BOT),
        ),
      ),
    );
    for (const key of DURATION_KEYS) {
      const values = expected.map((d) => d[key]).filter((v): v is number => v !== null);
      expect(s.durations[key], key).toEqual(percentiles(values));
    }
    expect(s.punctuality).toEqual({ kept: 2, missed: 1 });
    // a period that starts after them counts none
    expect((await periodStats(db.prisma, "T1", T(500), T(1000), BOT, "2026-01-10")).total).toBe(0);
  });
});
