// "Changes nothing", checked: everything a request could have changed (rows, and calls to Slack
// that would write), before and after.

import { expect } from "vitest";
import type { Harness } from "./harness.ts";
import { sleep, until } from "./wait.ts";

const READS = new Set(["users.info", "conversations.info", "conversations.history", "conversations.list", "conversations.members"]);

export async function footprint(h: Harness): Promise<string> {
  const [incidents, jobs, processed, timeline, updates, effects] = await Promise.all([
    h.db.incident.count(),
    h.db.job.count(),
    h.db.processedRequest.count(),
    h.db.timelineEntry.count(),
    h.db.statusUpdate.count(),
    h.db.slackEffect.count(),
  ]);
  // looking someone up changes nothing; every other call to Slack would
  const writes = h.fake.calls.filter((c) => !READS.has(c.method)).length;
  return JSON.stringify({ incidents, jobs, processed, timeline, updates, effects, writes, responses: h.fake.responses.length });
}

/** Waits until the bot has no work due (earlier requests' jobs, re-renders) and Slack is quiet. */
export async function quiet(h: Harness): Promise<void> {
  let calls = -1;
  await until(
    async () => {
      // due now, or soon (a job waiting a moment for the channel); reminders and nudges later are not work in flight
      const due = await h.db.job.count({ where: { status: "pending", dueAt: { lte: new Date(Date.now() + 5000) } } });
      const now = h.fake.calls.length;
      const still = due === 0 && now === calls;
      calls = now;
      return still;
    },
    15_000,
    "the bot to be idle",
    150,
  );
}

/** Runs `act`, lets anything it set off happen, and checks that nothing changed. */
export async function changesNothing(h: Harness, act: () => Promise<void>): Promise<void> {
  await quiet(h);
  const before = await footprint(h);
  await act();
  await sleep(400);
  expect(await footprint(h)).toBe(before);
}
