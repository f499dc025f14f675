// Charts as SVG, drawn on the server: stacked bars, lines with gaps, plain bars and horizontal bars.
// No library renders SVG on the server without a DOM (the well-kept ones draw in a browser), so these
// are ours: small, pure, and tested. Every text is escaped; colours are CSS classes (s0…s9 and l0…l3),
// so the page's light and dark schemes apply. Each chart says what it shows in its <title> and <desc>;
// the table under it has the numbers.

import { escapeHtml } from "../../domain/text.ts";

const W = 720;
const H = 240;
const LEFT = 56;
const RIGHT = 12;
const TOP = 12;
const BOTTOM = 28;
const PLOT_W = W - LEFT - RIGHT;
const PLOT_H = H - TOP - BOTTOM;

const esc = escapeHtml;
const num = (v: number) => (Math.round(v * 10) / 10).toString();

/** A round ceiling for an axis: 1, 2 or 5 times a power of ten, at least `max`. */
export function niceCeiling(max: number): number {
  if (!(max > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 2, 5, 10]) if (m * p >= max) return m * p;
  return 10 * p;
}

function frame(title: string, desc: string, body: string): string {
  return `<svg class="chart" viewBox="0 0 ${W} ${H}" role="img" preserveAspectRatio="xMidYMid meet"><title>${esc(title)}</title><desc>${esc(desc)}</desc>${body}</svg>`;
}

function yAxis(max: number, format: (v: number) => string): string {
  let out = "";
  let said = "";
  for (let k = 0; k <= 4; k++) {
    const v = (max * k) / 4;
    const y = TOP + PLOT_H - (PLOT_H * k) / 4;
    const label = format(v);
    // a small axis (0–1) says each value once: 0, 1 rather than 0, 0, 1, 1, 1
    if (label === said) continue;
    said = label;
    out += `<line class="grid" x1="${LEFT}" x2="${W - RIGHT}" y1="${num(y)}" y2="${num(y)}"/><text class="axis" x="${LEFT - 6}" y="${num(y + 4)}" text-anchor="end">${esc(label)}</text>`;
  }
  return out;
}

function xLabels(labels: readonly string[], every: number): string {
  const step = PLOT_W / Math.max(1, labels.length);
  return labels
    // the last label too, unless it would crowd the one printed before it
    .map((l, i) => (i % every === 0 || (i === labels.length - 1 && i % every >= every / 2) ? `<text class="axis" x="${num(LEFT + step * i + step / 2)}" y="${H - 8}" text-anchor="middle">${esc(l)}</text>` : ""))
    .join("");
}

export interface Series<T = number> {
  readonly name: string;
  /** A CSS class for its colour. */
  readonly cls: string;
  readonly values: readonly T[];
}

/** Bars stacked per label (e.g. incidents per week by severity, most severe at the bottom). */
export function stackedBars(title: string, labels: readonly string[], series: readonly Series[], opts: { every?: number } = {}): string {
  const totals = labels.map((_, i) => series.reduce((s, x) => s + (x.values[i] ?? 0), 0));
  const max = niceCeiling(Math.max(0, ...totals));
  const step = PLOT_W / Math.max(1, labels.length);
  let bars = "";
  for (const [i] of labels.entries()) {
    let y = TOP + PLOT_H;
    for (const s of series) {
      const v = s.values[i] ?? 0;
      if (v <= 0) continue;
      const h = (PLOT_H * v) / max;
      y -= h;
      bars += `<rect class="${esc(s.cls)}" x="${num(LEFT + step * i + step * 0.15)}" y="${num(y)}" width="${num(step * 0.7)}" height="${num(h)}"><title>${esc(`${labels[i]}: ${v} ${s.name}`)}</title></rect>`;
    }
  }
  const desc = `${labels.length} bars from ${labels[0] ?? ""} to ${labels.at(-1) ?? ""}; the highest ${Math.max(0, ...totals)}.`;
  return frame(title, desc, yAxis(max, (v) => String(Math.round(v))) + bars + xLabels(labels, opts.every ?? 4));
}

/** Lines over labels; a null value is a gap (no incident that month), never a zero. */
export function lines(title: string, labels: readonly string[], series: readonly Series<number | null>[], format: (v: number) => string): string {
  const all = series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  const max = niceCeiling(Math.max(0, ...all));
  const step = PLOT_W / Math.max(1, labels.length);
  const at = (i: number, v: number) => `${num(LEFT + step * i + step / 2)},${num(TOP + PLOT_H - (PLOT_H * v) / max)}`;
  let body = yAxis(max, format);
  for (const s of series) {
    let run: string[] = [];
    const flush = () => {
      if (run.length > 1) body += `<polyline class="${esc(s.cls)}" points="${run.join(" ")}"/>`;
      run = [];
    };
    for (const [i, v] of s.values.entries()) {
      if (v === null) {
        flush();
        continue;
      }
      run.push(at(i, v));
      const [x, y] = at(i, v).split(",");
      body += `<circle class="${esc(s.cls)}" cx="${x}" cy="${y}" r="3.5"><title>${esc(`${labels[i]}: ${s.name} ${format(v)}`)}</title></circle>`;
    }
    flush();
  }
  const desc = `${series.map((s) => s.name).join(" and ")} over ${labels.length} points; the highest ${all.length ? format(Math.max(...all)) : "none"}.`;
  return frame(title, desc, body + xLabels(labels, 1));
}

/** One bar per label on a 0–100 % axis; null: nothing to measure (no bar). */
export function percentBars(title: string, labels: readonly string[], values: readonly (number | null)[], cls = "l0"): string {
  const step = PLOT_W / Math.max(1, labels.length);
  let bars = "";
  for (const [i, v] of values.entries()) {
    if (v === null) continue;
    const h = (PLOT_H * Math.max(0, Math.min(100, v))) / 100;
    bars += `<rect class="${esc(cls)}" x="${num(LEFT + step * i + step * 0.2)}" y="${num(TOP + PLOT_H - h)}" width="${num(step * 0.6)}" height="${num(h)}"><title>${esc(`${labels[i]}: ${Math.round(v)} %`)}</title></rect>`;
  }
  const shown = values.filter((v): v is number => v !== null);
  return frame(title, `${shown.length} of ${labels.length} bars; the lowest ${shown.length ? `${Math.round(Math.min(...shown))} %` : "none"}.`, yAxis(100, (v) => `${Math.round(v)}%`) + bars + xLabels(labels, 1));
}

/** Horizontal bars, longest first (e.g. the alert sources that opened most incidents). */
export function horizontalBars(title: string, rows: readonly { name: string; n: number }[], cls = "l1"): string {
  const rowH = 22;
  const height = Math.max(40, rows.length * rowH + 16);
  const max = niceCeiling(Math.max(0, ...rows.map((r) => r.n)));
  const labelW = 200;
  const plot = W - labelW - RIGHT - 40;
  let body = "";
  for (const [i, r] of rows.entries()) {
    const y = 8 + i * rowH;
    const w = (plot * r.n) / max;
    body += `<text class="axis" x="${labelW - 8}" y="${y + 15}" text-anchor="end">${esc(r.name.length > 30 ? `${r.name.slice(0, 29)}…` : r.name)}</text><rect class="${esc(cls)}" x="${labelW}" y="${y + 3}" width="${num(w)}" height="${rowH - 6}"><title>${esc(`${r.name}: ${r.n}`)}</title></rect><text class="axis" x="${num(labelW + w + 6)}" y="${y + 15}">${r.n}</text>`;
  }
  if (rows.length === 0) body = `<text class="axis" x="${W / 2}" y="24" text-anchor="middle">No incident was opened from an alert in this range.</text>`;
  return `<svg class="chart" viewBox="0 0 ${W} ${height}" role="img"><title>${esc(title)}</title><desc>${esc(`${rows.length} rows`)}</desc>${body}</svg>`;
}
