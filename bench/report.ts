// What every section of the benchmark shares: its settings (the fake Slack's latency, the request
// count), the lines it prints (kept for bench/results.md) and the percentiles it reports.

import path from "node:path";
import { fileURLToPath } from "node:url";
import { percentile } from "./stats.ts";

export const HERE = path.dirname(fileURLToPath(import.meta.url));
export const LATENCY = Number(process.env.BENCH_SLACK_LATENCY_MS ?? 50);
export const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 200);
export const CONCURRENCY = 20;
export const lines: string[] = [];
export function out(line = ""): void {
  lines.push(line);
  process.stdout.write(`${line}\n`);
}

type Dist = { p50: number; p95: number; p99: number };
export const dist = (xs: number[]): Dist => ({ p50: percentile(xs, 50), p95: percentile(xs, 95), p99: percentile(xs, 99) });
