// Wake-ups by LISTEN/NOTIFY (issue 23), on both PostgreSQL servers: what the jobs table notifies and
// what it does not, a worker that starts work enqueued elsewhere at once and a timed job when it falls
// due (its polls are a minute apart, so only a wake-up can explain it), and a listening connection
// killed under it: the worker listens again and looks once, so a job enqueued meanwhile is not lost.

import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { systemClock } from "../../src/clock.ts";
import { createLogger } from "../../src/log.ts";
import { Worker } from "../../src/scheduler/worker.ts";
import { createPrisma, type Db } from "../../src/store/database.ts";
import { claimDue, complete, enqueue, JOBS_CHANNEL, nextDue, retryLater } from "../../src/store/jobs.ts";
import { createTestDatabase, pgServers, type TestDatabase } from "../support/databases.ts";
import { sleep, until } from "../support/wait.ts";

const log = createLogger("silent");
/** Longer than any test here: a job that runs was woken for, not polled for. */
const NEVER = 60_000;

describe.each(pgServers().map((s) => [s.name, s] as const))("on %s", (_name, server) => {
  let test: TestDatabase;
  let db: Db;
  let other: Db;
  let listener: pg.Client;
  let heard = 0;
  const workers: Worker[] = [];

  beforeAll(async () => {
    test = await createTestDatabase(server);
    db = createPrisma({ connectionString: test.url }, 5);
    // another bot process's writes
    other = createPrisma({ connectionString: test.url }, 2);
    listener = new pg.Client({ connectionString: test.url });
    await listener.connect();
    listener.on("notification", (m) => {
      if (m.channel === JOBS_CHANNEL) heard++;
    });
    await listener.query(`LISTEN ${JOBS_CHANNEL}`);
  });
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.stop()));
  });
  afterAll(async () => {
    await listener?.end();
    await db?.$disconnect();
    await other?.$disconnect();
    await test?.drop();
  });

  function listening(handlers: ConstructorParameters<typeof Worker>[3]): Worker {
    const w = new Worker(db, systemClock, log, handlers, { pollMs: NEVER, listeningPollMs: NEVER, listen: { connectionString: test.url } });
    workers.push(w);
    w.start();
    return w;
  }

  /** The notifications heard while `act` ran, once they have all arrived. */
  async function notified(act: () => Promise<unknown>): Promise<number> {
    await sleep(50);
    const before = heard;
    await act();
    await sleep(150);
    return heard - before;
  }

  it("notifies when a job is enqueued, once per transaction, and not for a claim, a completion or a retry", async () => {
    const now = new Date();
    expect(await notified(() => enqueue(other, [{ kind: "n.one" }], now))).toBe(1);
    // three jobs in one transaction: one notification
    expect(await notified(() => enqueue(other, [{ kind: "n.two" }, { kind: "n.two" }, { kind: "n.two" }], now))).toBe(1);
    // a timed job notifies too: listeners learn when to wake for it
    expect(await notified(() => enqueue(other, [{ kind: "n.later", dueAt: new Date(now.getTime() + 3_600_000) }], now))).toBe(1);

    let claimed: Awaited<ReturnType<typeof claimDue>> = [];
    expect(await notified(async () => (claimed = await claimDue(other, "w-test", new Date(), 10, 15_000)))).toBe(0);
    expect(claimed.map((j) => j.kind).sort()).toEqual(["n.one", "n.two", "n.two", "n.two"]);
    const [first, second] = claimed;
    expect(await notified(() => complete(other, first as (typeof claimed)[0], "w-test", new Date()))).toBe(0);
    // a retry is the retrying worker's own to look for again (its loop looks once a job ends)
    expect(await notified(() => retryLater(other, second as (typeof claimed)[0], "w-test", new Date(), "boom"))).toBe(0);
    await other.job.updateMany({ where: { kind: { startsWith: "n." } }, data: { status: "done" } });
  });

  it("starts a job another process enqueued at once, without waiting for a poll", async () => {
    const ran: number[] = [];
    listening({ "w.now": async () => void ran.push(Date.now()) });
    await sleep(200);
    const at = Date.now();
    await enqueue(other, [{ kind: "w.now" }], new Date());
    await until(() => ran.length === 1, 10_000, "the job");
    expect((ran[0] as number) - at).toBeLessThan(NEVER / 10);
  });

  it("starts a timed job when it falls due, not before, and without a poll", async () => {
    const ran: number[] = [];
    listening({ "w.timed": async () => void ran.push(Date.now()) });
    await sleep(200);
    const due = new Date(Date.now() + 700);
    await enqueue(other, [{ kind: "w.timed", dueAt: due }], new Date());
    expect(await nextDue(db)).toEqual(due);
    await until(() => ran.length === 1, 10_000, "the timed job");
    expect(ran[0] as number).toBeGreaterThanOrEqual(due.getTime());
    expect((ran[0] as number) - due.getTime()).toBeLessThan(NEVER / 10);
    expect(await nextDue(db)).toBeUndefined();
  });

  it("listens again when its connection is killed, and runs what was enqueued meanwhile once", async () => {
    const runs = new Map<number, number>();
    const w = listening({ "w.lost": async (job) => void runs.set(Number(job.payload.n), (runs.get(Number(job.payload.n)) ?? 0) + 1) });
    const backends = () => other.$queryRawUnsafe<{ pid: number }[]>("SELECT pid FROM pg_stat_activity WHERE application_name = $1", `${w.id}:listen`);
    await until(async () => (await backends()).length === 1, 10_000, "the listening connection");
    for (let round = 0; round < 3; round++) {
      const [{ pid } = { pid: 0 }] = await backends();
      // kill the listener, and enqueue while it is gone: the notification goes to nobody
      await other.$queryRawUnsafe("SELECT pg_terminate_backend($1)", pid);
      await enqueue(other, [{ kind: "w.lost", payload: { n: round } }], new Date());
      await until(() => runs.get(round) === 1, 15_000, `the job enqueued while nobody listened (round ${round})`);
      await until(async () => (await backends()).some((b) => b.pid !== pid), 15_000, "a new listening connection");
    }
    // and a notification on the new connection wakes it as before
    await enqueue(other, [{ kind: "w.lost", payload: { n: 9 } }], new Date());
    await until(() => runs.get(9) === 1, 10_000, "the job after the reconnection");
    await sleep(300);
    expect([...runs.entries()].sort((x, y) => x[0] - y[0])).toEqual([[0, 1], [1, 1], [2, 1], [9, 1]]);
  });

  it("wakes every listening worker and runs each of many jobs once", async () => {
    const runs = new Map<number, number>();
    const by = new Map<string, number>();
    const handler = (name: string) => async (job: { payload: Record<string, unknown> }) => {
      const n = Number(job.payload.n);
      runs.set(n, (runs.get(n) ?? 0) + 1);
      by.set(name, (by.get(name) ?? 0) + 1);
      await sleep(2 + Math.random() * 5);
    };
    listening({ "w.many": handler("a") });
    listening({ "w.many": handler("b") });
    await sleep(200);
    for (let batch = 0; batch < 10; batch++) {
      await enqueue(other, Array.from({ length: 20 }, (_, i) => ({ kind: "w.many", payload: { n: batch * 20 + i } })), new Date());
    }
    await until(() => runs.size === 200, 20_000, "every job");
    await sleep(300);
    expect([...runs.values()].every((v) => v === 1)).toBe(true);
    expect(runs.size).toBe(200);
    // both workers heard and took part
    expect(by.get("a") ?? 0).toBeGreaterThan(0);
    expect(by.get("b") ?? 0).toBeGreaterThan(0);
  });
});
