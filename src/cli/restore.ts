// `npm run restore -- <file>`: loads a backup into an empty database (the embedded one in DATA_DIR,
// or DATABASE_URL), checks every table's rows against the backup, then brings the schema up to this
// version. A non-empty database is refused; a restore that fails leaves the database empty.

import fs from "node:fs";
import path from "node:path";
import { createGunzip } from "node:zlib";
import { BackupError } from "../store/backup/tables.ts";
import { loadSnapshot } from "../store/backup/snapshot.ts";
import { botDatabase, runTool, seconds, tableLines, usage } from "./tool.ts";

const USAGE = `usage: npm run restore -- <file>
  Loads a backup written by \`npm run backup\` into an empty database: DATABASE_URL when set, else the
  embedded one in DATA_DIR (./data; a new directory gets a new cluster). Stop the bot first.`;

await runTool("restore", async (log) => {
  const file = path.resolve(usage("restore", USAGE, process.argv.slice(2)));
  const started = Date.now();
  const input = fs.createReadStream(file);
  await new Promise<void>((resolve, reject) => {
    input.once("open", () => resolve());
    input.once("error", reject);
  });
  const gunzip = createGunzip();
  input.on("error", (err) => gunzip.destroy(err));
  gunzip.on("error", () => undefined); // surfaces through the reader
  input.pipe(gunzip);
  const database = await botDatabase(log, "refuse", { create: true });
  try {
    const summary = await loadSnapshot(database.connection, gunzip, database.where, log).catch((err: unknown) => {
      if ((err as { code?: string }).code === "Z_DATA_ERROR" || (err as { code?: string }).code === "Z_BUF_ERROR") {
        throw new BackupError(`${file} is not a Warroom backup (not gzip data, or damaged): ${(err as Error).message}`);
      }
      throw err;
    });
    process.stdout.write(
      `warroom restore: ${database.where}\n${tableLines(summary.tables)}\n` +
        `warroom restore: ${summary.tables.length} tables, ${summary.rows.toLocaleString("en-US")} rows restored and checked from ${file} in ${seconds(started)}\n`,
    );
  } finally {
    input.destroy();
    await database.close();
  }
});
