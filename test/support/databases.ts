// Per-test databases cloned from the migrated template on one of the servers of the global setup.

import { randomBytes } from "node:crypto";
import pg from "pg";
import { inject } from "vitest";

export interface PgServer {
  name: string;
  adminUrl: string;
}

declare module "vitest" {
  export interface ProvidedContext {
    pgServers: PgServer[];
  }
}

export function pgServers(): PgServer[] {
  return inject("pgServers");
}

export function embeddedServer(): PgServer {
  return pgServers()[0] as PgServer;
}

export function debianServer(): PgServer {
  return pgServers()[1] as PgServer;
}

export function urlFor(server: PgServer, database: string): string {
  const url = new URL(server.adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

export interface TestDatabase {
  readonly url: string;
  readonly name: string;
  drop(): Promise<void>;
}

/** A fresh, migrated database (a copy of the template). */
export async function createTestDatabase(server: PgServer = embeddedServer(), template = "warroom_template"): Promise<TestDatabase> {
  const name = `t_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: server.adminUrl });
  await admin.connect();
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
        break;
      } catch (err) {
        // two files cloning the template at the same instant can collide; it clears in a moment
        if (attempt >= 20 || !/being accessed by other users/.test(String(err))) throw err;
        await new Promise((r) => setTimeout(r, 50 * attempt));
      }
    }
  } finally {
    await admin.end();
  }
  return {
    url: urlFor(server, name),
    name,
    async drop() {
      const a = new pg.Client({ connectionString: server.adminUrl });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
      await a.end();
    },
  };
}

/** An empty database (no migrations), for migration tests. */
export async function createEmptyDatabase(server: PgServer): Promise<TestDatabase> {
  return createTestDatabase(server, "template0");
}
