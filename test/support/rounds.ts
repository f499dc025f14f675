// Sequential Slack round-trips in a set of calls: calls that overlap in time share a round.

import type { Call } from "../../src/local-slack/server.ts";

export function sequentialRounds(calls: readonly Call[]): number {
  const sorted = [...calls].sort((a, b) => a.startedAt - b.startedAt);
  let rounds = 0;
  let roundEnd = -Infinity;
  for (const c of sorted) {
    if (c.startedAt >= roundEnd) {
      rounds += 1;
      roundEnd = c.at;
    } else {
      roundEnd = Math.max(roundEnd, c.at);
    }
  }
  return rounds;
}
