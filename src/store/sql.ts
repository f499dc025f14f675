// Raw SQL on the hot paths. An ORM call costs the bot ~0.75 ms of CPU (the query compiler, its
// interpreter, the row mapping); the same statement through node-postgres costs ~0.1 ms. A
// declaration makes some seventy statements, so the ones every incident makes go through here: on
// the client's own pool when they stand alone, through the transaction when they are part of one.
//
// Rows come back as node-postgres reads them (timestamptz → Date, jsonb → parsed, int4 → number):
// only columns of those kinds are read here, so both ways give the same values.

import { step } from "../foreground.ts";
import { isClient, type Tx } from "./database.ts";
import type { Prisma } from "./generated/client.ts";

/** The rows a statement returns. */
export async function select<T>(db: Tx, q: Prisma.Sql): Promise<T[]> {
  if (!isClient(db)) return db.$queryRaw<T[]>(q);
  // background work lets requests go first, but never while it holds a transaction open
  await step();
  return (await db.$pool.query(q.text, q.values)).rows as T[];
}

/** How many rows a statement changed. */
export async function execute(db: Tx, q: Prisma.Sql): Promise<number> {
  if (!isClient(db)) return db.$executeRaw(q);
  await step();
  return (await db.$pool.query(q.text, q.values)).rowCount ?? 0;
}
