// What /metrics reads from the database when scraped: open incidents by severity (from the
// incidents' (status, severity) index alone) and the jobs waiting (the jobs' (status, due_at) index).

import type { MetricsSource } from "../metrics.ts";
import type { Db } from "./database.ts";

export function metricsSource(db: Db): MetricsSource {
  return {
    async openBySeverity() {
      const rows = await db.$queryRaw<{ severity: string; n: bigint }[]>`
        SELECT severity, count(*) AS n FROM incidents WHERE status IN ('investigating', 'identified', 'monitoring') GROUP BY severity`;
      return Object.fromEntries(rows.map((r) => [r.severity, Number(r.n)]));
    },
    async jobs(now) {
      const rows = await db.$queryRaw<{ pending: bigint; oldest: Date | null }[]>`
        SELECT count(*) AS pending, min(due_at) FILTER (WHERE due_at <= ${now}) AS oldest FROM jobs WHERE status = 'pending'`;
      const r = rows[0];
      return { pending: Number(r?.pending ?? 0), oldestDueSeconds: r?.oldest ? Math.max(0, (now.getTime() - r.oldest.getTime()) / 1000) : 0 };
    },
  };
}
