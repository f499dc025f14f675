// The severity assessment over every combination of answers: the rule's properties, and a table of
// the cases the framework spells out.

import { describe, expect, it } from "vitest";
import { type Answers, isComplete, QUESTIONS, suggestSeverity } from "../../../src/domain/assessment.ts";
import { DEFAULT_SEVERITIES, type SeverityLadder } from "../../../src/domain/severity.ts";

function* everyCombination(): Generator<Answers> {
  const walk = function* (i: number, acc: Record<string, string>): Generator<Answers> {
    const q = QUESTIONS[i];
    if (!q) {
      yield { ...acc } as Answers;
      return;
    }
    for (const c of q.choices) yield* walk(i + 1, { ...acc, [q.id]: c.value });
  };
  yield* walk(0, {});
}

const ALL = [...everyCombination()];
/** How bad each answer is, per question (higher: worse); "not sure" rounds up. */
const WORSE: Record<string, Record<string, number>> = {
  users: { edge: 0, few: 1, subset: 2, not_sure: 2, all: 3 },
  broken: { secondary: 0, core: 1, not_sure: 1 },
  data: { no: 0, not_sure: 1, yes: 2 },
  workaround: { acceptable: 0, none: 1, not_sure: 1 },
  trend: { stable: 0, worse: 1, not_sure: 1 },
  slo: { within: 0, approaching: 0, past: 1, not_sure: 1 },
};

const level = (a: Answers) => suggestSeverity(a, DEFAULT_SEVERITIES).level;

describe("the suggested severity, over every combination of answers", () => {
  it("covers every combination", () => {
    expect(ALL).toHaveLength(5 * 3 * 3 * 3 * 3 * 4);
    expect(ALL.every(isComplete)).toBe(true);
  });

  it("is always a configured severity, SEV1 to SEV4, with a reason naming it", () => {
    for (const a of ALL) {
      const s = suggestSeverity(a, DEFAULT_SEVERITIES);
      expect(s.level).toBeGreaterThanOrEqual(1);
      expect(s.level).toBeLessThanOrEqual(4);
      expect(s.severity).toBe(DEFAULT_SEVERITIES[s.level - 1]);
      expect(s.reason).toMatch(new RegExp(` → ${s.severity.id}$`));
    }
  });

  it("is SEV1 whenever there is data loss or a security risk", () => {
    for (const a of ALL.filter((x) => x.data === "yes")) expect(suggestSeverity(a, DEFAULT_SEVERITIES)).toMatchObject({ level: 1, reason: "data loss or security risk → SEV1" });
  });

  it("never gets milder when any one answer gets worse (monotone)", () => {
    for (const a of ALL) {
      for (const q of QUESTIONS) {
        for (const c of q.choices) {
          const worse = (WORSE[q.id] as Record<string, number>)[c.value] as number;
          const now = (WORSE[q.id] as Record<string, number>)[a[q.id]] as number;
          if (worse > now) expect(level({ ...a, [q.id]: c.value }), `${JSON.stringify(a)} with ${q.id}=${c.value}`).toBeLessThanOrEqual(level(a));
        }
      }
    }
  });

  it("rounds up when in doubt: 'Not sure' is never milder than an answer that says nothing or de-escalates", () => {
    for (const a of ALL) {
      for (const q of QUESTIONS) {
        if (a[q.id] !== "not_sure") continue;
        for (const c of q.choices.filter((x) => x.signal >= 0 && x.value !== "yes" && x.value !== "all")) {
          expect(level(a), `${q.id}: not sure vs ${c.value}`).toBeLessThanOrEqual(level({ ...a, [q.id]: c.value }));
        }
      }
    }
  });

  it("moves at most one step from where the number of users starts it (data loss apart)", () => {
    const start: Record<string, number> = { all: 1, subset: 2, few: 3, edge: 4, not_sure: 2 };
    for (const a of ALL.filter((x) => x.data !== "yes")) expect(Math.abs(level(a) - (start[a.users] as number))).toBeLessThanOrEqual(1);
  });

  it.each([
    [{ users: "all", broken: "core", data: "no", workaround: "none", trend: "worse", slo: "past" }, 1, "all or most users, core functionality broken, no workaround, getting worse, past the SLO → SEV1"],
    [{ users: "subset", broken: "core", data: "no", workaround: "none", trend: "stable", slo: "within" }, 1, "a significant subset of users, core functionality broken, no workaround → SEV1"],
    [{ users: "subset", broken: "secondary", data: "no", workaround: "acceptable", trend: "stable", slo: "within" }, 3, "a significant subset of users, a secondary feature, an acceptable workaround, stable → SEV3"],
    [{ users: "subset", broken: "core", data: "no", workaround: "acceptable", trend: "stable", slo: "within" }, 3, "a significant subset of users, an acceptable workaround, stable → SEV3"],
    [{ users: "subset", broken: "core", data: "no", workaround: "acceptable", trend: "stable", slo: "past" }, 2, "a significant subset of users → SEV2"],
    [{ users: "few", broken: "secondary", data: "no", workaround: "acceptable", trend: "stable", slo: "within" }, 4, "a small subset of users, a secondary feature, an acceptable workaround, stable → SEV4"],
    [{ users: "edge", broken: "core", data: "not_sure", workaround: "none", trend: "worse", slo: "not_sure" }, 3, "one edge case, core functionality broken, a possible data loss or security risk, no workaround, getting worse, maybe past the SLO → SEV3"],
    [{ users: "not_sure", broken: "not_sure", data: "not_sure", workaround: "not_sure", trend: "not_sure", slo: "not_sure" }, 1, "not sure how many users, not sure what is broken, a possible data loss or security risk, no known workaround, maybe getting worse, maybe past the SLO → SEV1"],
    [{ users: "few", broken: "core", data: "yes", workaround: "acceptable", trend: "stable", slo: "within" }, 1, "data loss or security risk → SEV1"],
  ])("%j → level %i", (answers, expected, reason) => {
    expect(suggestSeverity(answers as Answers, DEFAULT_SEVERITIES)).toMatchObject({ level: expected, reason });
  });

  it("maps the levels onto a team's own ladder, from its top", () => {
    const three: SeverityLadder = DEFAULT_SEVERITIES.slice(0, 3).map((s, i) => ({ ...s, id: `P${i}` }));
    const mild: Answers = { users: "few", broken: "secondary", data: "no", workaround: "acceptable", trend: "stable", slo: "within" };
    expect(suggestSeverity(mild, three)).toMatchObject({ level: 4, severity: { id: "P2" } });
    expect(suggestSeverity({ ...mild, data: "yes" }, three)).toMatchObject({ severity: { id: "P0" }, reason: "data loss or security risk → P0" });
  });

  it("refuses an answer that is not one of the question's", () => {
    expect(isComplete({ users: "all" })).toBe(false);
    expect(() => suggestSeverity({ users: "lots", broken: "core", data: "no", workaround: "none", trend: "worse", slo: "past" }, DEFAULT_SEVERITIES)).toThrow(/not an answer/);
  });
});
