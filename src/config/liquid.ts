// The sandboxed Liquid engine every user-editable template is rendered with (the postmortem, the
// assistant's prompts): no code, no file system (an empty in-memory template map, so include, render
// and layout find nothing), only the data's own properties (no prototype walks such as
// "".constructor), and limits on parse size, render time and memory. Pure: the caller reads the file.

import { Liquid } from "liquidjs";

export function sandboxedLiquid(): Liquid {
  return new Liquid({
    templates: {},
    relativeReference: false,
    dynamicPartials: false,
    ownPropertyOnly: true,
    strictFilters: true,
    strictVariables: false,
    jsTruthy: false,
    greedy: true,
    parseLimit: 200_000,
    renderLimit: 2_000,
    memoryLimit: 20_000_000,
  });
}

/** The line a Liquid error points at, when it says. */
export function liquidErrorLine(err: unknown): number | undefined {
  const e = err as { token?: { getPosition?: () => [number, number] }; message?: string };
  const pos = e.token?.getPosition?.();
  if (pos) return pos[0];
  const m = /line:(\d+)/.exec(e.message ?? "");
  return m ? Number(m[1]) : undefined;
}

/** A Liquid error's first line, without its position (said apart). */
export function liquidErrorReason(message: string): string {
  return message.split("\n")[0]?.replace(/, line:\d+, col:\d+/, "").trim() ?? message;
}
