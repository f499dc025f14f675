// `npm run backup -- <file>`: a consistent snapshot of the bot's database (embedded or DATABASE_URL)
// into one gzip file, while the bot runs. Written beside the target and renamed into place when
// whole, so the file named is always a complete backup.

import fs from "node:fs";
import fsp from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { PassThrough } from "node:stream";
import { createGzip } from "node:zlib";
import { writeSnapshot } from "../store/backup/snapshot.ts";
import { botDatabase, runTool, seconds, tableLines, usage } from "./tool.ts";

const USAGE = `usage: npm run backup -- <file>
  Writes a consistent snapshot of Warroom's database into <file> (gzip; format in docs/backups.md).
  The database is the one the bot uses: DATABASE_URL when set, else the embedded one in DATA_DIR
  (./data), also while the bot runs.`;

await runTool("backup", async (log) => {
  const file = path.resolve(usage("backup", USAGE, process.argv.slice(2)));
  const partial = `${file}.partial-${process.pid}`;
  const started = Date.now();
  const database = await botDatabase(log, "share");
  try {
    const lines = new PassThrough({ highWaterMark: 1 << 20 });
    const out = fs.createWriteStream(partial, { flags: "wx", mode: 0o600 });
    const written = pipeline(lines, createGzip({ level: 3 }), out);
    let summary;
    try {
      summary = await writeSnapshot(database.connection, lines);
      lines.end();
      await written;
    } catch (err) {
      lines.destroy();
      await written.catch(() => undefined);
      throw err;
    }
    const handle = await fsp.open(partial, "r");
    await handle.sync();
    await handle.close();
    await fsp.rename(partial, file);
    const { size } = await fsp.stat(file);
    process.stdout.write(
      `warroom backup: ${database.where}\n${tableLines(summary.tables)}\n` +
        `warroom backup: ${summary.tables.length} tables, ${summary.rows.toLocaleString("en-US")} rows, ${summary.migrations.length} migrations → ${file} (${(size / 1e6).toFixed(1)} MB) in ${seconds(started)}\n`,
    );
  } finally {
    await fsp.rm(partial, { force: true });
    await database.close();
  }
});
