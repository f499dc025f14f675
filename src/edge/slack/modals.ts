// Opening a modal on a trigger. A trigger is valid for 3 seconds, so a rate limit or a blink of
// Slack's gets one quick retry when it fits in that window, and otherwise the person is told in a few
// words why the form did not open (the log gets the method and Slack's error code).

import { setTimeout as sleep } from "node:timers/promises";
import { explainSlackError } from "../../slack/explain.ts";
import type { Ctx } from "../../incidents/context.ts";
import { isSlackError, type SlackCallError } from "../../slack/api.ts";

/** Time from the click to our last possible attempt: Slack expires the trigger at 3 s. */
const TRIGGER_BUDGET_MS = 2_000;

export type OpenOutcome = { ok: true } | { ok: false; why: string };

/** Opens `view` on a trigger that arrived at `startedAt` (the injected clock's milliseconds). */
export async function openModal(ctx: Pick<Ctx, "slack" | "log" | "clock">, triggerId: string, view: unknown, what: string, startedAt: number): Promise<OpenOutcome> {
  const { slack, log } = ctx;
  for (let attempt = 1; ; attempt++) {
    try {
      await slack.callInteractive("views.open", { trigger_id: triggerId, view });
      return { ok: true };
    } catch (err) {
      if (!isSlackError(err)) throw err;
      // a hair past Retry-After, which the client also keeps (api.ts)
      const wait = err.retryAfter !== undefined ? Math.ceil(err.retryAfter * 1000) + 25 : 200;
      const passing = err.transient || err.code.startsWith("http_5") || err.code === "network";
      if (attempt === 1 && passing && ctx.clock.now().getTime() - startedAt + wait <= TRIGGER_BUDGET_MS) {
        log.warn({ method: err.method, code: err.code, what, retryInMs: wait }, "could not open a form; retrying once");
        await sleep(wait);
        continue;
      }
      log.warn({ method: err.method, code: err.code, what }, "could not open a form");
      return { ok: false, why: whyNotOpened(err) };
    }
  }
}

function whyNotOpened(err: SlackCallError): string {
  if (err.code === "expired_trigger_id" || err.code === "exchanged_trigger_id") return "Slack took too long to open it.";
  if (err.code === "ratelimited" || err.code === "rate_limited") return "Slack is rate-limiting the app right now.";
  if (err.code === "timeout" || err.code === "network" || err.code.startsWith("http_5") || err.transient) return "Slack did not answer in time.";
  const text = explainSlackError(err);
  return text.charAt(0).toUpperCase() + text.slice(1);
}
