// A worker's proof of life that other bot processes can see: a session-level advisory lock, keyed by
// the worker's id, held on a connection of its own. PostgreSQL drops the lock the moment that session
// ends (the process died, or lost the database), so the workers left can take a dead worker's leased
// jobs over at once instead of waiting for the leases to run out.

import pg, { type PoolConfig } from "pg";
import type { Logger } from "../log.ts";

/** Worker ids that hold a liveness lock start with this; only their leases are ever taken over early. */

export class Liveness {
  private client: pg.Client | undefined;
  private stopped = false;
  private retry: NodeJS.Timeout | undefined;

  constructor(
    private readonly connection: PoolConfig,
    private readonly log: Logger,
  ) {}

  /** Takes the lock for `workerId` (waits for the database; a failure is thrown). */
  async hold(workerId: string): Promise<void> {
    const client = new pg.Client({ ...this.connection, application_name: workerId });
    client.on("error", (err) => {
      // the server went away or the connection broke: the lock is gone with it; take it again
      if (this.stopped) return;
      this.log.warn({ err }, "lost the worker's liveness connection; reconnecting");
      this.client = undefined;
      this.again(workerId);
    });
    await client.connect();
    await client.query("SELECT pg_advisory_lock(hashtextextended($1, 0))", [workerId]);
    this.client = client;
  }

  private again(workerId: string): void {
    clearTimeout(this.retry);
    this.retry = setTimeout(() => {
      if (this.stopped) return;
      this.hold(workerId).catch((err: unknown) => {
        this.log.warn({ err }, "could not retake the worker's liveness lock; trying again");
        this.again(workerId);
      });
    }, 1000);
    this.retry.unref();
  }

  async release(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }
}
