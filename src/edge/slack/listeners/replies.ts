// How a click reaches its journey: the payload is parsed (zod), the journey saves what it decides,
// then the click is acknowledged ("save, then acknowledge"); the person hears back privately. A click
// that cannot be read is acknowledged and answered at once; a failure is rendered by failures.ts, so
// Slack never shows its generic error for something we could have explained.

import type { App, BlockAction as BoltBlockAction, RespondFn } from "@slack/bolt";
import type { Ctx } from "../../../incidents/context.ts";
import { interactionFailed } from "../failures.ts";
import { type BlockAction, blockAction } from "../payloads.ts";

/** A reply only the clicker sees, leaving the message they clicked as it is. */
export function whisper(respond: RespondFn, text: string) {
  return respond({ response_type: "ephemeral", replace_original: false, text });
}

export interface ActionRequest {
  readonly body: BlockAction;
  readonly action: BlockAction["actions"][number];
  /** When the click arrived (the injected clock), for work that must finish within its trigger's 3 s. */
  readonly receivedAt: number;
  /** Acknowledges the click (once; later calls do nothing). Call it after saving. */
  readonly ack: () => Promise<void>;
  readonly whisper: (text: string) => Promise<unknown>;
}

/**
 * Registers a button or picker. The handler acknowledges after it has saved; if it does not, the
 * click is acknowledged when it returns. `what` names the click in an apology ("your snooze").
 */
export function onAction(app: App, ctx: Ctx, actionId: string | RegExp, what: string, handler: (req: ActionRequest) => Promise<void>): void {
  app.action<BoltBlockAction>(actionId, async ({ ack, body, respond }) => {
    const receivedAt = ctx.clock.now().getTime();
    let acked = false;
    const ackOnce = async () => {
      if (acked) return;
      acked = true;
      await ack();
    };
    const parsed = blockAction.safeParse(body);
    const action = parsed.success ? parsed.data.actions[0] : undefined;
    if (!parsed.success || !action) {
      await ackOnce();
      ctx.log.warn({ issues: parsed.error?.issues.map((i) => i.path.join(".")) }, "malformed interaction payload");
      await whisper(respond, ":warning: That could not be read; nothing was changed.");
      return;
    }
    try {
      // a click in the App Home has no response_url: there is no message to answer under
      const say = parsed.data.response_url ? (text: string) => whisper(respond, text) : async (text: string) => ctx.log.info({ user: parsed.data.user.id, text: text.slice(0, 200) }, "a reply with nowhere to go (no response_url)");
      await handler({ body: parsed.data, action, receivedAt, ack: ackOnce, whisper: say });
      await ackOnce();
    } catch (err) {
      await ackOnce().catch(() => undefined);
      await interactionFailed(ctx.log, respond, { what, err, context: { action: action.action_id, user: parsed.data.user.id } });
    }
  });
}
