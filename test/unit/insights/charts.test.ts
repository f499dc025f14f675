// The insights page's SVG charts: axes rounded to 1, 2 or 5 × 10ⁿ, stacked bars that add up, a month
// without incidents a gap in a line (never a zero), percentages clipped to the axis, and every text
// escaped.

import { describe, expect, it } from "vitest";
import { escapeHtml } from "../../../src/domain/text.ts";
import { horizontalBars, lines, niceCeiling, percentBars, stackedBars } from "../../../src/pages/insights/charts.ts";

const heights = (svg: string, cls: string) => [...svg.matchAll(new RegExp(`<rect class="${cls}"[^>]* height="([\\d.]+)"`, "g"))].map((m) => Number(m[1]));

describe("charts", () => {
  it.each([
    [0, 1],
    [1, 1],
    [3, 5],
    [7, 10],
    [12, 20],
    [4_000, 5_000],
    [0.3, 0.5],
  ])("rounds an axis of %d up to %d", (max, ceiling) => {
    expect(niceCeiling(max)).toBe(ceiling);
  });

  it("stacks bars so each label's segments add up to its total, on a rounded axis", () => {
    const svg = stackedBars("Per week", ["a", "b"], [
      { name: "SEV1", cls: "s0", values: [2, 0] },
      { name: "SEV2", cls: "s1", values: [3, 4] },
    ]);
    // the axis is 0–5 over 200 units: 2 → 80, 3 → 120, 4 → 160; a zero draws nothing
    expect(heights(svg, "s0")).toEqual([80]);
    expect(heights(svg, "s1")).toEqual([120, 160]);
    expect(svg).toContain("<title>Per week</title>");
  });

  it("leaves a gap for a month without a value, never a zero", () => {
    const svg = lines("TTR", ["Jan", "Feb", "Mar", "Apr"], [{ name: "p50", cls: "l0", values: [60, null, 120, 180] }], (v) => `${v}s`);
    expect(svg.match(/<polyline/g)).toHaveLength(1);
    expect(svg.match(/<circle/g)).toHaveLength(3);
    expect(svg).not.toContain("Feb: p50");
  });

  it("clips a percentage to the axis and draws nothing for nothing measured", () => {
    const svg = percentBars("Punctuality", ["a", "b", "c"], [50, null, 130]);
    expect(heights(svg, "l0")).toEqual([100, 200]);
  });

  it("escapes every text", () => {
    const evil = `<script>alert("x")</script>&`;
    for (const svg of [
      stackedBars(evil, [evil], [{ name: evil, cls: "s0", values: [1] }]),
      lines(evil, [evil], [{ name: evil, cls: "l0", values: [1] }], () => evil),
      percentBars(evil, [evil], [10]),
      horizontalBars(evil, [{ name: evil, n: 3 }]),
    ]) {
      expect(svg).not.toContain("<script>");
      expect(svg).toContain("&lt;script&gt;");
    }
    expect(escapeHtml(`"'&<>`)).toBe("&quot;&#39;&amp;&lt;&gt;");
  });

  it("says so when no alert opened an incident", () => {
    expect(horizontalBars("Sources", [])).toContain("No incident was opened from an alert in this range.");
  });
});

describe("a small axis", () => {
  it("says each value once", () => {
    const svg = stackedBars("One", ["a"], [{ name: "SEV1", cls: "s0", values: [1] }]);
    expect([...svg.matchAll(/<text class="axis" x="50"[^>]*>([^<]*)</g)].map((m) => m[1])).toEqual(["0", "1"]);
  });
});

describe("the labels along the bottom", () => {
  const labelsOf = (svg: string) => [...svg.matchAll(/<text class="axis" x="[\d.]+" y="232" text-anchor="middle">([^<]*)</g)].map((m) => m[1]);
  it("says every fourth, and the last unless it would crowd the one before", () => {
    const bars = (n: number) => stackedBars("W", Array.from({ length: n }, (_, i) => `w${i}`), [{ name: "SEV1", cls: "s0", values: [] }]);
    expect(labelsOf(bars(26))).toEqual(["w0", "w4", "w8", "w12", "w16", "w20", "w24"]);
    expect(labelsOf(bars(23))).toEqual(["w0", "w4", "w8", "w12", "w16", "w20", "w22"]);
  });
});
