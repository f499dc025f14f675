// The durable job queue and worker on both PostgreSQL servers: exactly-once across workers, leases
// that expire for dead workers and are renewed for live ones, retries with backoff, loud failure.

import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { systemClock } from "../../src/clock.ts";
import { Foreground } from "../../src/foreground.ts";
import { createLogger } from "../../src/log.ts";
import { housekeep } from "../../src/scheduler/housekeeping.ts";
import { Liveness } from "../../src/scheduler/liveness.ts";
import { LIVE_PREFIX } from "../../src/store/jobs.ts";
import { claimDue, enqueue } from "../../src/store/jobs.ts";
import { PermanentJobError, Worker } from "../../src/scheduler/worker.ts";
import { SlackCallError } from "../../src/slack/api.ts";
import { createPrisma, type Db } from "../../src/store/database.ts";
import { createTestDatabase, pgServers, type TestDatabase } from "../support/databases.ts";
import { sleep, until } from "../support/wait.ts";

const log = createLogger("silent");

describe.each(pgServers().map((s) => [s.name, s] as const))("on %s", (_name, server) => {
  let test: TestDatabase;
  let a: Db;
  let b: Db;
  const workers: Worker[] = [];

  beforeAll(async () => {
    test = await createTestDatabase(server);
    // two clients stand for two bot processes sharing the database
    a = createPrisma({ connectionString: test.url }, 5);
    b = createPrisma({ connectionString: test.url }, 5);
  });
  // in production every worker runs every kind; here each test's workers know only its own
  const held: Liveness[] = [];
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.stop()));
    await Promise.all(held.splice(0).map((l) => l.release()));
  });
  afterAll(async () => {
    await a?.$disconnect();
    await b?.$disconnect();
    await test?.drop();
  });

  function worker(db: Db, handlers: ConstructorParameters<typeof Worker>[3], opts: ConstructorParameters<typeof Worker>[4] = {}): Worker {
    const w = new Worker(db, systemClock, log, handlers, { pollMs: 20, baseBackoffMs: 50, maxBackoffMs: 200, ...opts });
    workers.push(w);
    w.start();
    return w;
  }

  /** A worker as the bot runs it: holding its liveness lock (released after the test). */
  async function liveWorker(db: Db, handlers: ConstructorParameters<typeof Worker>[3], opts: ConstructorParameters<typeof Worker>[4] = {}): Promise<Worker> {
    const w = new Worker(db, systemClock, log, handlers, { pollMs: 20, baseBackoffMs: 50, maxBackoffMs: 200, ...opts, live: true });
    const liveness = new Liveness({ connectionString: test.url }, log);
    await liveness.hold(w.id);
    workers.push(w);
    held.push(liveness);
    w.start();
    return w;
  }

  it("runs each of many jobs exactly once with two workers competing", async () => {
    const runs = new Map<string, number>();
    const handler = async (job: { payload: Record<string, unknown> }) => {
      const n = String(job.payload.n);
      runs.set(n, (runs.get(n) ?? 0) + 1);
      await sleep(Math.random() * 5);
    };
    const w1 = worker(a, { count: handler });
    const w2 = worker(b, { count: handler });
    await enqueue(a, Array.from({ length: 200 }, (_, n) => ({ kind: "count", payload: { n } })), new Date());
    w1.kick();
    w2.kick();
    await until(async () => (await a.job.count({ where: { kind: "count", status: "done" } })) === 200, 10_000, "the jobs");
    expect(runs.size).toBe(200);
    expect([...runs.values()].every((v) => v === 1)).toBe(true);
  });

  it("holds a job back while a request is being answered, and runs it once the request is answered", async () => {
    const fg = new Foreground({ graceMs: 5, stepEveryMs: 60_000 });
    const leave = fg.enter();
    let ran = 0;
    worker(a, { held: async () => void ran++ }, { foreground: fg });
    await enqueue(a, [{ kind: "held", payload: {} }], new Date());
    await until(() => fg.waiting === 1, 5000, "the job to be claimed and waiting");
    await sleep(200);
    expect(ran).toBe(0);
    leave();
    await until(() => ran === 1, 5000, "the job");
    await until(async () => (await a.job.count({ where: { kind: "held", status: "done" } })) === 1, 5000, "the job done");
  });

  it("takes over a job whose worker died holding it, once its lease expires", async () => {
    await enqueue(a, [{ kind: "orphaned", payload: {} }], new Date());
    // a worker that claims and then dies: its lease is short
    const [claimed] = await claimDue(a, "dead-worker", new Date(), 1, 300);
    expect(claimed?.kind).toBe("orphaned");
    let ran = 0;
    worker(b, { orphaned: async () => void ran++ });
    await sleep(150);
    expect(ran).toBe(0);
    await until(async () => ran === 1, 5000, "the jobs");
    const row = await a.job.findUniqueOrThrow({ where: { id: (claimed as { id: number }).id } });
    expect(row).toMatchObject({ status: "done", attempts: 2 });
  });

  it("takes over at once the jobs of a worker whose process died, long before their leases expire", async () => {
    await enqueue(a, [{ kind: "stranded", payload: {} }], new Date());
    // a live worker claims with a one-minute lease, then its process dies (its liveness session ends)
    const deadId = `${LIVE_PREFIX}dead-${Date.now()}`;
    const dying = new Liveness({ connectionString: test.url }, log);
    await dying.hold(deadId);
    const [claimed] = await claimDue(a, deadId, new Date(), 1, 60_000);
    expect(claimed?.kind).toBe("stranded");
    let ran = 0;
    const started = Date.now();
    await liveWorker(b, { stranded: async () => void ran++ }, { leaseMs: 600 });
    // alive: not taken over
    await sleep(500);
    expect(ran).toBe(0);
    await dying.release();
    const id = (claimed as { id: number }).id;
    await until(async () => (await a.job.findUniqueOrThrow({ where: { id } })).status === "done", 5000, "the jobs");
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(ran).toBe(1);
    expect(await a.job.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: "done", attempts: 2 });
  });

  it("never takes over a job from a live worker, however often the others look", async () => {
    let starts = 0;
    const slow = async () => {
      starts++;
      await sleep(1200);
    };
    // a short lease: the heartbeat (which also looks for dead workers) runs every 100 ms
    await liveWorker(a, { "slow-live": slow }, { leaseMs: 300 });
    await liveWorker(b, { "slow-live": slow }, { leaseMs: 300 });
    await enqueue(a, [{ kind: "slow-live", payload: {} }], new Date());
    await until(async () => (await a.job.count({ where: { kind: "slow-live", status: "done" } })) === 1, 5000, "the jobs");
    expect(starts).toBe(1);
  });

  it("stopping lets running jobs finish within the drain time, then gives back the leases of those still running", async () => {
    let finished = 0;
    const quick = async () => {
      await sleep(200);
      finished++;
    };
    const stuck = () => new Promise<void>(() => undefined);
    const w = worker(a, { quick, stuck }, { leaseMs: 60_000 });
    await enqueue(a, [{ kind: "quick", payload: {} }, { kind: "stuck", payload: {} }], new Date());
    await until(async () => (await a.job.count({ where: { lockedBy: w.id } })) === 2, 5000, "both running");
    const t0 = Date.now();
    await w.stop(800);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(finished).toBe(1);
    expect(await a.job.count({ where: { kind: "quick", status: "done" } })).toBe(1);
    // the stuck one is free for another worker at once (its 60 s lease given back)
    expect(await a.job.findFirstOrThrow({ where: { kind: "stuck" } })).toMatchObject({ status: "pending", lockedBy: null });
    const [taken] = await claimDue(b, "another", new Date(), 5, 1000);
    expect(taken?.kind).toBe("stuck");
  });

  it("renews the lease of a job that runs longer than the lease, so no one else takes it", async () => {
    let starts = 0;
    const slow = async () => {
      starts++;
      await sleep(900);
    };
    worker(a, { slow }, { leaseMs: 300 });
    worker(b, { slow }, { leaseMs: 300 });
    await enqueue(a, [{ kind: "slow", payload: {} }], new Date());
    await until(async () => (await a.job.count({ where: { kind: "slow", status: "done" } })) === 1, 5000, "the jobs");
    expect(starts).toBe(1);
  });

  it("retries a failing job with backoff, honouring Slack's Retry-After, until it succeeds", async () => {
    const at: number[] = [];
    worker(a, {
      flaky: async () => {
        at.push(Date.now());
        if (at.length === 1) throw new SlackCallError("chat.postMessage", "ratelimited", 1, true);
        if (at.length === 2) throw new Error("connection reset");
      },
    });
    await enqueue(a, [{ kind: "flaky", payload: {} }], new Date());
    await until(async () => (await a.job.count({ where: { kind: "flaky", status: "done" } })) === 1, 10_000, "the jobs");
    expect(at).toHaveLength(3);
    expect((at[1] as number) - (at[0] as number)).toBeGreaterThanOrEqual(950);
    const row = await a.job.findFirstOrThrow({ where: { kind: "flaky" } });
    expect(row.attempts).toBe(3);
  });

  it("gives up loudly: a permanent failure is marked dead at once and reported", async () => {
    const reported: string[] = [];
    worker(b, { doomed: async () => Promise.reject(new PermanentJobError("cannot ever work")) }, { onDead: async (job) => void reported.push(job.kind) });
    await enqueue(a, [{ kind: "doomed", payload: {} }], new Date());
    await until(async () => (await a.job.count({ where: { kind: "doomed", status: "dead" } })) === 1, 10_000, "the jobs");
    expect(reported).toEqual(["doomed"]);
    expect((await a.job.findFirstOrThrow({ where: { kind: "doomed" } })).lastError).toBe("cannot ever work");
  });

  it("gives up after the maximum number of attempts", async () => {
    worker(a, { hopeless: async () => Promise.reject(new Error("still broken")) }, { maxAttempts: 3 });
    await enqueue(a, [{ kind: "hopeless", payload: {} }], new Date());
    await until(async () => (await a.job.count({ where: { kind: "hopeless", status: "dead" } })) === 1, 10_000, "the jobs");
    expect((await a.job.findFirstOrThrow({ where: { kind: "hopeless" } })).attempts).toBe(3);
  });

  it("coalesces pending jobs with the same key, and releases the key when one is claimed", async () => {
    await enqueue(a, [{ kind: "coalesce", payload: {}, dedupeKey: "k1", dueAt: new Date(Date.now() + 60_000) }], new Date());
    await enqueue(a, [{ kind: "coalesce", payload: {}, dedupeKey: "k1", dueAt: new Date(Date.now() + 60_000) }], new Date());
    expect(await a.job.count({ where: { kind: "coalesce" } })).toBe(1);
    await a.job.updateMany({ where: { kind: "coalesce" }, data: { dueAt: new Date() } });
    const [claimed] = await claimDue(a, "w", new Date(), 10, 60_000);
    expect(claimed?.kind).toBe("coalesce");
    await enqueue(a, [{ kind: "coalesce", payload: {}, dedupeKey: "k1" }], new Date());
    expect(await a.job.count({ where: { kind: "coalesce" } })).toBe(2);
  });

  it("housekeeping removes finished jobs after a week and request marks after a day, nothing else", async () => {
    const now = Date.now();
    const ago = (ms: number) => new Date(now - ms);
    const day = 24 * 60 * 60 * 1000;
    await a.job.createMany({
      data: [
        { kind: "hk-old-done", payload: {}, dueAt: ago(9 * day), status: "done", finishedAt: ago(8 * day) },
        { kind: "hk-old-cancelled", payload: {}, dueAt: ago(9 * day), status: "cancelled", finishedAt: ago(8 * day) },
        { kind: "hk-recent-done", payload: {}, dueAt: ago(day), status: "done", finishedAt: ago(6 * day) },
        { kind: "hk-old-dead", payload: {}, dueAt: ago(9 * day), status: "dead", finishedAt: ago(8 * day) },
        { kind: "hk-old-pending", payload: {}, dueAt: ago(9 * day + 7), status: "pending" },
      ],
    });
    await a.processedRequest.createMany({ data: [{ key: "hk:old", receivedAt: ago(2 * day) }, { key: "hk:recent", receivedAt: ago(day / 2) }] });
    const removed = await housekeep(a, systemClock);
    expect(removed.jobs).toBeGreaterThanOrEqual(2);
    const kinds = (await a.job.findMany({ where: { kind: { startsWith: "hk-" } }, select: { kind: true } })).map((j) => j.kind).sort();
    // a dead job stays for people to look into; a pending one is work
    expect(kinds).toEqual(["hk-old-dead", "hk-old-pending", "hk-recent-done"]);
    expect((await a.processedRequest.findMany({ where: { key: { startsWith: "hk:" } } })).map((r) => r.key)).toEqual(["hk:recent"]);
    await a.job.deleteMany({ where: { kind: { startsWith: "hk-" } } });
  });

  it("does not run jobs before they are due", async () => {
    let ran = false;
    worker(b, { later: async () => void (ran = true) });
    await enqueue(a, [{ kind: "later", payload: {}, dueAt: new Date(Date.now() + 400) }], new Date());
    await sleep(200);
    expect(ran).toBe(false);
    await until(() => ran, 3000, "the jobs");
  });
});
