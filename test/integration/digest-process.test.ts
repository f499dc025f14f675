// The digest once per scheduled time with two bot processes on one database, across a restart: both
// plan it, one posts it; one is killed with SIGKILL and started again, and still each time is posted
// once, none skipped.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BotProcess } from "../support/bot-process.ts";
import { createTestDatabase, debianServer, type TestDatabase } from "../support/databases.ts";
import { duplicatesIn, effectKeys } from "../support/effects.ts";
import { type ProcessBed, startProcessBed } from "../support/process-bed.ts";
import { sleep, until } from "../support/wait.ts";

let bed: ProcessBed;
let database: TestDatabase;
const bots: BotProcess[] = [];

beforeAll(async () => {
  bed = await startProcessBed({ name: "digest", channels: ["digests"], configYaml: "digest:\n  cron: '*/2 * * * * *'\n  channel: digests\n" });
  database = await createTestDatabase(debianServer());
}, 120_000);
afterAll(async () => {
  for (const b of bots) b.kill("SIGKILL");
  await database?.drop();
  await bed?.stop();
});

const times = () => effectKeys(bed.channels.digests as never).filter((k) => k.startsWith("digest:")).map((k) => Date.parse(k.slice(7)));

describe("the digest with two bot processes", () => {
  it("is posted once per scheduled time, also when one is killed and started again", async () => {
    bots.push(await bed.spawn({ DATABASE_URL: database.url }), await bed.spawn({ DATABASE_URL: database.url }));
    await until(() => times().length >= 3, 20_000, "three digests");
    bots[0]?.kill("SIGKILL");
    await bots[0]?.exited;
    await sleep(2500);
    bots.push(await bed.spawn({ DATABASE_URL: database.url }));
    const seen = times().length;
    await until(() => times().length >= seen + 3, 20_000, "three more digests after the restart");
    for (const b of bots) b.kill("SIGTERM");
    await Promise.all(bots.map((b) => b.exited));
    const keys = effectKeys(bed.channels.digests as never).filter((k) => k.startsWith("digest:"));
    expect(duplicatesIn(keys)).toEqual([]);
    // consecutive scheduled times, two seconds apart: none posted twice, none skipped
    const sorted = times().sort((a, b) => a - b);
    for (let i = 1; i < sorted.length; i++) expect((sorted[i] as number) - (sorted[i - 1] as number)).toBe(2000);
    process.stdout.write(`digest: ${sorted.length} scheduled times posted once each by two processes across a SIGKILL\n`);
  }, 120_000);
});
