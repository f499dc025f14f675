// The exports, streamed: rows are read a batch at a time and written as they go (with backpressure),
// so memory stays flat however many incidents there are. RFC 4180 by csv-stringify; a text cell that
// starts with =, +, - or @ gets a ' in front, so a spreadsheet does not run it as a formula.

import { once } from "node:events";
import type http from "node:http";
import { stringify } from "csv-stringify";
import { DURATION_KEYS, durations, effectiveTimestamps, recordedTimestamps, TIMESTAMP_KEYS, type TimestampKey } from "../../domain/record.ts";
import { safeToPlain } from "../../domain/text.ts";
import type { Ctx } from "../../incidents/context.ts";
import { actionItemBatches, exportBatches, type IncidentFilter } from "../../store/api.ts";

export const INCIDENT_COLUMNS = [
  "number",
  "title",
  "severity",
  "status",
  "private",
  "drill",
  "declared_by",
  ...TIMESTAMP_KEYS,
  ...DURATION_KEYS.map((k) => `${k}_s`),
  "punctuality",
  "channel_id",
] as const;

export const ACTION_ITEM_COLUMNS = ["incident", "number", "text", "owner", "due", "priority", "status", "created_at", "done_at"] as const;

/** A cell a spreadsheet would take for a formula is made plain text. */
export function cell(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return "";
  const text = String(value);
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

async function stream(res: http.ServerResponse, filename: string, columns: readonly string[], rows: AsyncIterable<string[][]>): Promise<void> {
  res.writeHead(200, { "content-type": "text/csv; charset=utf-8", "content-disposition": `attachment; filename="${filename}"`, "cache-control": "no-store" });
  const csv = stringify({ header: true, columns: [...columns], record_delimiter: "\r\n" });
  csv.pipe(res);
  let closed = false;
  res.on("close", () => (closed = true));
  for await (const batch of rows) {
    for (const row of batch) {
      if (closed) return;
      if (!csv.write(row)) await once(csv, "drain");
    }
  }
  csv.end();
  await once(res, "finish").catch(() => undefined);
}

const iso = (d: Date | null) => (d ? d.toISOString() : "");

export function streamIncidentsCsv(ctx: Ctx, res: http.ServerResponse, filter: IncidentFilter): Promise<void> {
  const now = ctx.clock.now();
  async function* rows() {
    for await (const batch of exportBatches(ctx.db, ctx.bot.teamId, filter)) {
      yield batch.map((r) => {
        const t = effectiveTimestamps(recordedTimestamps({ ...r, timestampSources: (r.timestampSources ?? {}) as Partial<Record<TimestampKey, string>> }, ctx.bot.userId));
        const d = durations(t);
        const missed = r.punctMissed + (r.punctPendingAt && r.punctPendingAt < now ? 1 : 0);
        const due = r.punctKept + missed;
        return [
          String(r.number),
          cell(r.title),
          cell(r.severity),
          r.status,
          String(r.isPrivate),
          String(r.isDrill),
          cell(r.declaredBy),
          ...TIMESTAMP_KEYS.map((k) => iso(t[k])),
          ...DURATION_KEYS.map((k) => (d[k] === null ? "" : String(d[k]))),
          due === 0 ? "" : (r.punctKept / due).toFixed(2),
          cell(r.channelId),
        ];
      });
    }
  }
  return stream(res, "incidents.csv", INCIDENT_COLUMNS, rows());
}

export function streamActionItemsCsv(ctx: Ctx, res: http.ServerResponse, filter: IncidentFilter): Promise<void> {
  async function* rows() {
    for await (const batch of actionItemBatches(ctx.db, ctx.bot.teamId, filter)) {
      yield batch.map((a) => [
        `INC-${a.incident.number}`,
        String(a.number),
        cell(safeToPlain(a.text)),
        cell(a.ownerId),
        a.dueDate ? a.dueDate.toISOString().slice(0, 10) : "",
        cell(a.priority),
        a.status,
        iso(a.createdAt),
        iso(a.doneAt),
      ]);
    }
  }
  return stream(res, "action-items.csv", ACTION_ITEM_COLUMNS, rows());
}
