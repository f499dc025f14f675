// Wake-ups by LISTEN/NOTIFY: the transaction that enqueues a job notifies `warroom_jobs` at its commit
// (store/jobs.ts: enqueue, and the requests recorded before the ack), and every worker listening on its own connection looks for due
// work at once. Polling stays underneath: a notification can be lost with the connection, so when it
// breaks the worker reconnects with backoff, listens again, then looks once (what it may have missed).
// With several bot processes every listener wakes and the leases let one of them claim each job.

import pg, { type PoolConfig } from "pg";
import type { Logger } from "../log.ts";
import { JOBS_CHANNEL } from "../store/jobs.ts";

const RETRY_MIN_MS = 250;
const RETRY_MAX_MS = 10_000;

export class Wakeups {
  private client: pg.Client | undefined;
  private stopped = false;
  private retry: NodeJS.Timeout | undefined;
  private failures = 0;

  constructor(
    private readonly connection: PoolConfig,
    private readonly name: string,
    private readonly log: Logger,
    /** Called on every notification, and once after each (re)connection. */
    private readonly wake: () => void,
  ) {}

  /** True while a connection is listening. */
  get listening(): boolean {
    return this.client !== undefined;
  }

  /** Connects and listens; a failure is logged and retried in the background, never thrown. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.connect();
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ ...this.connection, application_name: this.name });
    let lost = false;
    const onLost = (err?: Error) => {
      if (lost) return;
      lost = true;
      if (this.client === client) this.client = undefined;
      void close(client);
      if (this.stopped) return;
      this.log.warn({ err }, "lost the connection that listens for new jobs; polling until it is back");
      this.again();
    };
    client.on("error", onLost);
    client.on("end", () => onLost());
    client.on("notification", (msg) => {
      if (msg.channel === JOBS_CHANNEL) this.wake();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${JOBS_CHANNEL}`);
    } catch (err) {
      if (!lost) {
        lost = true;
        void close(client);
        if (!this.stopped) {
          this.log.warn({ err }, "could not listen for new jobs; polling until it can");
          this.again();
        }
      }
      return;
    }
    if (this.stopped) {
      lost = true;
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    if (this.failures > 0) this.log.info("listening for new jobs again");
    this.failures = 0;
    // whatever was notified while nobody listened: look once
    this.wake();
  }

  private again(): void {
    clearTimeout(this.retry);
    const delay = Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** this.failures);
    this.failures++;
    this.retry = setTimeout(() => void this.connect(), delay);
    this.retry.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }
}

/** Ends a connection that may be broken already; its failure to end says nothing new. */
async function close(client: pg.Client): Promise<void> {
  try {
    await client.end();
  } catch {
    // already gone
  }
}
