// The public page's history as its definition says: spans from a public incident's updates, one bar a
// day coloured by the worst impact, and the share of time without an incident: overlapping incidents
// counted once, an incident across midnight on both days, days as the page's zone counts them
// (daylight saving included), an open incident up to now, the window's edge, notices not counted.

import { describe, expect, it } from "vitest";
import { componentHistory, currentImpact, type PublishedUpdate, spansOf, windowStart } from "../../../src/domain/public-history.ts";

const t = (iso: string) => new Date(iso);
const up = (at: string, impact: PublishedUpdate["impact"], componentIds: string[], status: PublishedUpdate["status"] = "investigating"): PublishedUpdate => ({ at: t(at), status, impact, componentIds });

describe("spansOf", () => {
  it("runs each update until the next, and stops at the resolution", () => {
    const spans = spansOf([up("2026-03-01T10:00:00Z", "minor", ["api"]), up("2026-03-01T11:00:00Z", "major", ["api", "web"], "identified"), up("2026-03-01T12:00:00Z", "none", ["api"], "resolved")]);
    expect(spans).toEqual([
      { from: t("2026-03-01T10:00:00Z"), to: t("2026-03-01T11:00:00Z"), impact: "minor", componentIds: ["api"] },
      { from: t("2026-03-01T11:00:00Z"), to: t("2026-03-01T12:00:00Z"), impact: "major", componentIds: ["api", "web"] },
    ]);
  });

  it("leaves an open incident open, sorts its updates, and does not count a notice (impact none) or no components", () => {
    const spans = spansOf([up("2026-03-01T12:00:00Z", "critical", ["api"], "monitoring"), up("2026-03-01T10:00:00Z", "none", ["api"]), up("2026-03-01T11:00:00Z", "minor", [])]);
    expect(spans).toEqual([{ from: t("2026-03-01T12:00:00Z"), to: null, impact: "critical", componentIds: ["api"] }]);
  });

  it("has nothing for an incident published resolved at once", () => {
    expect(spansOf([up("2026-03-01T10:00:00Z", "major", ["api"], "resolved")])).toEqual([]);
  });
});

describe("componentHistory", () => {
  const w = (now: string, days = 3, zone = "UTC") => ({ now: t(now), days, zone });

  it("is all operational and 100% without incidents", () => {
    const h = componentHistory([], "api", w("2026-03-03T12:00:00Z"));
    expect(h.bars.map((b) => [b.date, b.worst])).toEqual([
      ["2026-03-01", null],
      ["2026-03-02", null],
      ["2026-03-03", null],
    ]);
    expect(h.percentWithoutIncident).toBe(100);
    expect(h.windowSeconds).toBe(2.5 * 86_400);
  });

  it("counts overlapping incidents once, and colours the day by the worst", () => {
    const spans = [
      ...spansOf([up("2026-03-02T10:00:00Z", "minor", ["api"]), up("2026-03-02T12:00:00Z", "none", ["api"], "resolved")]),
      ...spansOf([up("2026-03-02T11:00:00Z", "major", ["api"]), up("2026-03-02T13:00:00Z", "none", ["api"], "resolved")]),
    ];
    const h = componentHistory(spans, "api", w("2026-03-04T00:00:00Z"));
    const day = h.bars.find((b) => b.date === "2026-03-02");
    expect(day).toEqual({ date: "2026-03-02", worst: "major", affectedSeconds: 3 * 3600 });
    expect(h.affectedSeconds).toBe(3 * 3600);
    // window: 2026-03-02 00:00 to 03-04 00:00 is 2 days; 3 hours down
    expect(h.percentWithoutIncident).toBe(Math.floor(((48 - 3) / 48) * 10_000) / 100);
  });

  it("colours both days of an incident across midnight, with each day's share", () => {
    const spans = spansOf([up("2026-03-01T23:00:00Z", "critical", ["api"]), up("2026-03-02T01:30:00Z", "none", ["api"], "resolved")]);
    const h = componentHistory(spans, "api", w("2026-03-03T12:00:00Z"));
    expect(h.bars.map((b) => [b.date, b.worst, b.affectedSeconds])).toEqual([
      ["2026-03-01", "critical", 3600],
      ["2026-03-02", "critical", 5400],
      ["2026-03-03", null, 0],
    ]);
  });

  it("counts days in the page's zone: the same incident falls on another day in Los Angeles", () => {
    const spans = spansOf([up("2026-03-02T03:00:00Z", "minor", ["api"]), up("2026-03-02T04:00:00Z", "none", ["api"], "resolved")]);
    const utc = componentHistory(spans, "api", w("2026-03-03T12:00:00Z", 3, "UTC"));
    const la = componentHistory(spans, "api", w("2026-03-03T12:00:00Z", 3, "America/Los_Angeles"));
    expect(utc.bars.find((b) => b.worst)?.date).toBe("2026-03-02");
    expect(la.bars.find((b) => b.worst)?.date).toBe("2026-03-01");
  });

  it("has a 23-hour day when the clocks go forward, and a 25-hour one when they go back", () => {
    // Europe/Paris: 2026-03-29 is 23 hours long, 2026-10-25 25 hours
    const spring = componentHistory(spansOf([up("2026-03-28T23:00:00Z", "major", ["api"])]), "api", w("2026-03-30T00:00:00+02:00", 3, "Europe/Paris"));
    expect(spring.bars.find((b) => b.date === "2026-03-29")?.affectedSeconds).toBe(23 * 3600);
    const autumn = componentHistory(spansOf([up("2026-10-24T22:00:00Z", "major", ["api"])]), "api", w("2026-10-26T00:00:00+01:00", 3, "Europe/Paris"));
    expect(autumn.bars.find((b) => b.date === "2026-10-25")?.affectedSeconds).toBe(25 * 3600);
  });

  it("runs an open incident up to now, and never shows 100% when something was down", () => {
    const spans = spansOf([up("2026-03-03T11:59:59Z", "minor", ["api"])]);
    const h = componentHistory(spans, "api", w("2026-03-03T12:00:00Z", 90));
    expect(h.affectedSeconds).toBe(1);
    expect(h.percentWithoutIncident).toBeLessThan(100);
    expect(h.percentWithoutIncident).toBe(99.99);
    expect(h.bars.at(-1)).toEqual({ date: "2026-03-03", worst: "minor", affectedSeconds: 1 });
  });

  it("clips what started before the window, and ignores other components", () => {
    const spans = [...spansOf([up("2026-02-01T00:00:00Z", "major", ["api"]), up("2026-03-01T06:00:00Z", "none", ["api"], "resolved")]), ...spansOf([up("2026-03-02T00:00:00Z", "critical", ["web"])])];
    const h = componentHistory(spans, "api", w("2026-03-03T00:00:00Z"));
    expect(windowStart(w("2026-03-03T00:00:00Z"))).toEqual(t("2026-03-01T00:00:00Z"));
    expect(h.affectedSeconds).toBe(6 * 3600);
    expect(h.bars.map((b) => b.worst)).toEqual(["major", null, null]);
  });

  it("does not colour the day after an incident that ended at midnight", () => {
    const spans = spansOf([up("2026-03-01T22:00:00Z", "minor", ["api"]), up("2026-03-02T00:00:00Z", "none", ["api"], "resolved")]);
    expect(componentHistory(spans, "api", w("2026-03-03T12:00:00Z")).bars.map((b) => b.worst)).toEqual(["minor", null, null]);
  });
});

describe("currentImpact", () => {
  it("is the worst open span naming the component", () => {
    const spans = [...spansOf([up("2026-03-01T10:00:00Z", "minor", ["api"])]), ...spansOf([up("2026-03-01T11:00:00Z", "critical", ["api", "web"]), up("2026-03-01T12:00:00Z", "none", [], "resolved")])];
    expect(currentImpact(spans, "api", t("2026-03-01T11:30:00Z"))).toBe("critical");
    expect(currentImpact(spans, "api", t("2026-03-01T13:00:00Z"))).toBe("minor");
    expect(currentImpact(spans, "web", t("2026-03-01T13:00:00Z"))).toBeNull();
  });
});
