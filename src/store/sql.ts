// Raw SQL on the hot paths. An ORM call costs the bot ~0.75 ms of CPU (the query compiler, its
// interpreter, the row mapping); the same statement through node-postgres costs ~0.1 ms. A
// declaration makes some seventy statements, so the ones every incident makes go through here: on
// the client's own pool when they stand alone, through the transaction when they are part of one.
//
// Rows come back as node-postgres reads them (timestamptz → Date, jsonb → parsed, int4 → number):
// only columns of those kinds are read here, so both ways give the same values.

import { type Db, isClient } from "./database.ts";
import type { Prisma } from "./generated/client.ts";
import type { Tx } from "./jobs.ts";

function pooled(db: Tx): Db | undefined {
  return isClient(db) ? db : undefined;
}

/** The rows a statement returns. */
export async function rows<T>(db: Tx, q: Prisma.Sql): Promise<T[]> {
  const direct = pooled(db);
  if (direct) return (await direct.$pool.query(q.text, q.values as unknown[])).rows as T[];
  return db.$queryRaw<T[]>(q);
}

/** How many rows a statement changed. */
export async function execute(db: Tx, q: Prisma.Sql): Promise<number> {
  const direct = pooled(db);
  if (direct) return (await direct.$pool.query(q.text, q.values as unknown[])).rowCount ?? 0;
  return db.$executeRaw(q);
}
