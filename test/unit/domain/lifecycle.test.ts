// The lifecycle state machine, every pair of states: allowed moves and typed refusals.

import { describe, expect, it } from "vitest";
import { isOpen, STATUSES, type Status, transition } from "../../../src/domain/lifecycle.ts";

const ALLOWED: Record<Status, Partial<Record<Status, string>>> = {
  investigating: { identified: "progress", monitoring: "progress", resolved: "resolve" },
  identified: { monitoring: "progress", resolved: "resolve" },
  monitoring: { resolved: "resolve" },
  resolved: { investigating: "reopen", closed: "close" },
  closed: { investigating: "reopen" },
};

const pairs = STATUSES.flatMap((from) => STATUSES.map((to) => [from, to] as const));

describe("transition", () => {
  it.each(pairs.filter(([f, t]) => ALLOWED[f][t]))("allows %s → %s", (from, to) => {
    expect(transition(from, to)).toEqual({ ok: true, kind: ALLOWED[from][to] });
  });

  it.each(STATUSES)("refuses staying in %s, naming it", (s) => {
    expect(transition(s, s)).toEqual({ ok: false, refusal: { code: "same_status", current: s } });
  });

  it.each([
    ["identified", "investigating"],
    ["monitoring", "investigating"],
    ["monitoring", "identified"],
    ["resolved", "identified"],
    ["resolved", "monitoring"],
    ["closed", "identified"],
    ["closed", "monitoring"],
    ["closed", "resolved"],
  ] as const)("refuses going backwards %s → %s", (from, to) => {
    expect(transition(from, to)).toEqual({ ok: false, refusal: { code: "backwards", current: from, requested: to } });
  });

  it.each(["investigating", "identified", "monitoring"] as const)("refuses closing %s before it is resolved", (from) => {
    expect(transition(from, "closed")).toEqual({ ok: false, refusal: { code: "resolve_first", current: from } });
  });

  it("covers every pair of states with either a move or a refusal", () => {
    for (const [from, to] of pairs) {
      const r = transition(from, to);
      expect(r.ok).toBe(Boolean(ALLOWED[from][to]));
    }
    expect(pairs).toHaveLength(25);
  });
});

describe("isOpen", () => {
  it.each([
    ["investigating", true],
    ["identified", true],
    ["monitoring", true],
    ["resolved", false],
    ["closed", false],
  ] as const)("%s → %s", (s, open) => {
    expect(isOpen(s)).toBe(open);
  });
});
