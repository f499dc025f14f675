// The framework's severity assessment: six questions, and the severity their answers suggest. Pure.
//
// The rule, in the framework's own words turned into arithmetic:
// - how many users are affected sets the starting level: all or most → 1, a significant subset → 2,
//   a small subset → 3, one edge case → 4; not sure → 2 (when in doubt, round up);
// - data loss or a security risk → level 1, whatever else is said;
// - every other answer is a signal: core functionality broken, no workaround, getting worse, past the
//   SLO escalate; a secondary feature, an acceptable workaround, a stable problem de-escalate; "not
//   sure" escalates (when in doubt, round up); the rest says nothing;
// - the signals move the level one step at most, towards their majority; a tie keeps it.
// Level 1 is the top of the configured ladder, level 4 the fourth rung (or the lowest, on a shorter
// ladder).

import type { Severity, SeverityLadder } from "./severity.ts";

export interface Choice {
  readonly value: string;
  readonly label: string;
  /** How the answer moves the level: -1 escalates, +1 de-escalates, 0 says nothing. */
  readonly signal: -1 | 0 | 1;
  /** Words for the reason line, when the answer counted. */
  readonly reason: string;
}

export interface Question {
  readonly id: "users" | "broken" | "data" | "workaround" | "trend" | "slo";
  readonly text: string;
  readonly choices: readonly Choice[];
}

const NOT_SURE = "not_sure";

export const QUESTIONS: readonly Question[] = [
  {
    id: "users",
    text: "How many users are affected?",
    choices: [
      { value: "all", label: "All or most users", signal: 0, reason: "all or most users" },
      { value: "subset", label: "A significant subset", signal: 0, reason: "a significant subset of users" },
      { value: "few", label: "A small subset", signal: 0, reason: "a small subset of users" },
      { value: "edge", label: "One specific scenario or edge case", signal: 0, reason: "one edge case" },
      { value: NOT_SURE, label: "Not sure", signal: 0, reason: "not sure how many users" },
    ],
  },
  {
    id: "broken",
    text: "What functionality is broken?",
    choices: [
      { value: "core", label: "Core (login, payments, the primary feature)", signal: -1, reason: "core functionality broken" },
      { value: "secondary", label: "A secondary feature or an edge case", signal: 1, reason: "a secondary feature" },
      { value: NOT_SURE, label: "Not sure", signal: -1, reason: "not sure what is broken" },
    ],
  },
  {
    id: "data",
    text: "Is there data loss or a security risk?",
    choices: [
      { value: "yes", label: "Yes", signal: 0, reason: "data loss or security risk" },
      { value: "no", label: "No", signal: 0, reason: "" },
      { value: NOT_SURE, label: "Not sure", signal: -1, reason: "a possible data loss or security risk" },
    ],
  },
  {
    id: "workaround",
    text: "Is there a workaround?",
    choices: [
      { value: "none", label: "No reasonable workaround", signal: -1, reason: "no workaround" },
      { value: "acceptable", label: "Yes, and it is acceptable", signal: 1, reason: "an acceptable workaround" },
      { value: NOT_SURE, label: "Not sure", signal: -1, reason: "no known workaround" },
    ],
  },
  {
    id: "trend",
    text: "Is the problem getting worse?",
    choices: [
      { value: "worse", label: "Yes, the impact is expanding", signal: -1, reason: "getting worse" },
      { value: "stable", label: "No, it is stable or contained", signal: 1, reason: "stable" },
      { value: NOT_SURE, label: "Not sure", signal: -1, reason: "maybe getting worse" },
    ],
  },
  {
    id: "slo",
    text: "Are we past our SLO?",
    choices: [
      { value: "past", label: "Yes", signal: -1, reason: "past the SLO" },
      { value: "approaching", label: "No, but approaching it", signal: 0, reason: "" },
      { value: "within", label: "No", signal: 0, reason: "" },
      { value: NOT_SURE, label: "Not sure", signal: -1, reason: "maybe past the SLO" },
    ],
  },
];

export type Answers = Readonly<Record<Question["id"], string>>;

const START: Readonly<Record<string, number>> = { all: 1, subset: 2, few: 3, edge: 4, [NOT_SURE]: 2 };

export interface Suggestion {
  readonly severity: Severity;
  /** 1 (the top of the ladder) to 4. */
  readonly level: number;
  /** One line: why, e.g. "data loss or security risk → SEV1". */
  readonly reason: string;
}

function choiceOf(q: Question, answers: Answers): Choice {
  const c = q.choices.find((x) => x.value === answers[q.id]);
  if (!c) throw new Error(`"${answers[q.id]}" is not an answer to "${q.text}"`);
  return c;
}

/** True when every question has one of its answers. */
export function isComplete(answers: Partial<Record<string, string>>): answers is Answers {
  return QUESTIONS.every((q) => q.choices.some((c) => c.value === answers[q.id]));
}

export function suggestSeverity(answers: Answers, ladder: SeverityLadder): Suggestion {
  const pick = (level: number): Severity => {
    const s = ladder[Math.min(level, ladder.length) - 1];
    if (!s) throw new Error("the severity ladder is empty");
    return s;
  };
  const chosen = QUESTIONS.map((q) => ({ q, c: choiceOf(q, answers) }));
  if (answers.data === "yes") {
    const s = pick(1);
    return { severity: s, level: 1, reason: `data loss or security risk → ${s.id}` };
  }
  const users = choiceOf(QUESTIONS[0] as Question, answers);
  const start = START[users.value] ?? 2;
  const signals = chosen.filter(({ c }) => c.signal !== 0);
  const net = signals.reduce((sum, { c }) => sum + c.signal, 0);
  const step = Math.sign(net);
  const level = Math.min(4, Math.max(1, start + step));
  const moved = signals.filter(({ c }) => c.signal === step && step !== 0).map(({ c }) => c.reason);
  const s = pick(level);
  const why = [users.reason, ...moved].join(", ");
  return { severity: s, level, reason: `${why} → ${s.id}` };
}
