// Holds the database for a test: a transaction takes its locks with `sql`, then stays open until
// released, so whatever needs those rows or tables waits (a database slower than Slack's 3 s).

import type { Db } from "../../src/store/database.ts";

export async function holdInTransaction(db: Db, sql: string, ...params: unknown[]): Promise<{ release(): Promise<void> }> {
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  let locked!: () => void;
  const isLocked = new Promise<void>((r) => (locked = r));
  const holder = db.$transaction(
    async (tx) => {
      await tx.$executeRawUnsafe(sql, ...params);
      locked();
      await released;
    },
    { timeout: 30_000 },
  );
  await Promise.race([isLocked, holder]);
  return {
    async release() {
      release();
      await holder;
    },
  };
}
