// What the listeners say back to the person who clicked or submitted: a private reply under the
// message they used, and a form's answer when saving it failed.

import type { RespondFn, SlackViewMiddlewareArgs } from "@slack/bolt";
import { randomUUID } from "node:crypto";
import type { Logger } from "../../../log.ts";

/** A reply only the clicker sees, leaving the message they clicked as it is. */
export function whisper(respond: RespondFn, text: string) {
  return respond({ response_type: "ephemeral", replace_original: false, text });
}

/**
 * Saving a submitted form failed (nothing was changed): logs the error under a short reference and
 * keeps the form open with that reference on `block`, so the person can submit again and the log line
 * can be found.
 */
export async function saveFailed(
  log: Logger,
  ack: SlackViewMiddlewareArgs["ack"],
  failure: { block: string; what: string; err: unknown; context?: Record<string, unknown> },
): Promise<void> {
  const ref = randomUUID().slice(0, 8);
  log.error({ err: failure.err, ref, ...failure.context }, `saving ${failure.what} from a form failed`);
  await ack({ response_action: "errors", errors: { [failure.block]: `Could not save ${failure.what} (reference ${ref}). Nothing was changed; please submit again.` } });
}
