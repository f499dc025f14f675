// One renderer of failures, by surface. A failure that is not an expected "no" (those are refusals,
// rendered by slack/blocks/refusals.ts) is logged once with a short reference, and the person sees
// that reference where they acted: a modal keeps its form open with the reference on a field; a
// command, a button or a shortcut gets an ephemeral apology. Nothing was changed, so they may retry.

import type { RespondFn, SlackViewMiddlewareArgs } from "@slack/bolt";
import { randomUUID } from "node:crypto";
import type { Logger } from "../../log.ts";

export interface Failure {
  /** What was being done, for the log and the person: "the update", "your click". */
  what: string;
  err: unknown;
  context?: Record<string, unknown>;
}

/** Logs a failure under a new reference, which is returned. */
export function logFailure(log: Logger, f: Failure): string {
  const ref = randomUUID().slice(0, 8);
  log.error({ err: f.err, ref, ...f.context }, `handling ${f.what} failed`);
  return ref;
}

export function apology(what: string, ref: string): string {
  return `:warning: Something went wrong with ${what} (reference ${ref}). Nothing was changed; please try again.`;
}

/** A submitted form: kept open, with the reference on `block`. */
export async function formFailed(log: Logger, ack: SlackViewMiddlewareArgs["ack"], block: string, f: Failure): Promise<void> {
  const ref = logFailure(log, f);
  await ack({ response_action: "errors", errors: { [block]: `Could not save ${f.what} (reference ${ref}). Nothing was changed; please submit again.` } });
}

/** A click or a shortcut: an ephemeral apology under the message. */
export async function interactionFailed(log: Logger, respond: RespondFn, f: Failure): Promise<void> {
  const ref = logFailure(log, f);
  await respond({ response_type: "ephemeral", replace_original: false, text: apology(f.what, ref) }).catch((err: unknown) => log.warn({ err, ref }, "could not tell the person about the failure"));
}
