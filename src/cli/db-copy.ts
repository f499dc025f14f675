// `npm run db:copy -- postgres://…`: moves the bot's database (the embedded one, usually) into an
// empty external PostgreSQL, checking that every table's rows arrived (count and checksum). Then
// start the bot with DATABASE_URL set to that URL.

import { BackupError } from "../store/backup/tables.ts";
import { copyDatabase } from "../store/backup/copy.ts";
import { botDatabase, describeUrl, runTool, seconds, tableLines, usage } from "./tool.ts";

const USAGE = `usage: npm run db:copy -- postgres://user:password@host:5432/database
  Copies Warroom's database (the embedded one in DATA_DIR, or DATABASE_URL when set) into the empty
  PostgreSQL database at the URL and checks every row arrived. Stop the bot first; afterwards start it
  with DATABASE_URL set to that URL.`;

await runTool("db:copy", async (log) => {
  const url = usage("db:copy", USAGE, process.argv.slice(2));
  if (!/^postgres(ql)?:\/\//.test(url)) throw new BackupError(`the target must be a PostgreSQL URL starting with postgres:// (got "${describeUrl(url)}")`);
  if (url === process.env.DATABASE_URL) throw new BackupError("the target is DATABASE_URL itself: name another database");
  const started = Date.now();
  const source = await botDatabase(log, "refuse");
  try {
    const where = `the database at ${describeUrl(url)}`;
    const summary = await copyDatabase(source.connection, { connectionString: url }, where, log);
    process.stdout.write(
      `warroom db:copy: ${source.where} → ${where}\n${tableLines(summary.tables)}\n` +
        `warroom db:copy: ${summary.tables.length} tables, ${summary.rows.toLocaleString("en-US")} rows copied, every table's count and checksum match, in ${seconds(started)}\n` +
        `warroom db:copy: now start the bot with DATABASE_URL=${describeUrl(url)} (and its password)\n`,
    );
  } finally {
    await source.close();
  }
});
