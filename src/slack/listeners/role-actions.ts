// The opening message's role controls: a button per role to take it, and a user picker per role to
// assign it. Replies to the clicker are ephemeral; the channel sees the change through the echo and
// the re-rendered message.

import type { App, BlockAction as BoltBlockAction, RespondFn } from "@slack/bolt";
import { incidentRef } from "../../domain/incident.ts";
import { ROLES } from "../../domain/roles.ts";
import type { Ctx } from "../../incidents/context.ts";
import type { Applied } from "../../incidents/decide.ts";
import { assignRoleJourney, checkPerson, takeRoleJourney } from "../../incidents/roles.ts";
import { decodeRoleButton, parseRoleBlockId } from "../blocks/opening-message.ts";
import { refusalText } from "../blocks/refusals.ts";
import { ACTION } from "../ids.ts";
import { blockAction } from "../payloads.ts";

function ephemeral(respond: RespondFn, text: string) {
  return respond({ response_type: "ephemeral", replace_original: false, text });
}

async function tell(respond: RespondFn, r: Applied, subject: string | undefined): Promise<void> {
  if ("refusal" in r) await ephemeral(respond, `:warning: ${refusalText(r.refusal, r.incident, subject)}`);
  else if ("missing" in r) await ephemeral(respond, ":warning: That incident no longer exists.");
}

export function registerRoleActions(app: App, ctx: Ctx): void {
  app.action<BoltBlockAction>(new RegExp(`^${ACTION.takeRole.replace(".", "\\.")}:`), async ({ ack, body, respond }) => {
    const parsed = blockAction.safeParse(body);
    const action = parsed.success ? parsed.data.actions[0] : undefined;
    const value = action?.value ? decodeRoleButton(action.value) : undefined;
    if (!parsed.success || !value || !ROLES.includes(value.role)) {
      await ack();
      ctx.log.warn({ actionId: action?.action_id }, "malformed role button payload");
      await ephemeral(respond, ":warning: That button could not be read; nothing was changed.");
      return;
    }
    const actor = parsed.data.user.id;
    const r = await takeRoleJourney(ctx, { incidentId: value.incidentId, role: value.role, actor, expected: value.expected, takeover: value.role === "ic" && value.expected !== null });
    await ack();
    await tell(respond, r, actor);
    if (r.ok && r.events.some((e) => e.kind === "role_changed" && e.how === "takeover")) {
      await ephemeral(respond, `You are now the Incident Commander of ${incidentRef(r.after)}; the previous IC has been told.`);
    }
  });

  app.action<BoltBlockAction>(ACTION.assignRole, async ({ ack, body, respond }) => {
    const parsed = blockAction.safeParse(body);
    const action = parsed.success ? parsed.data.actions[0] : undefined;
    const target = action?.block_id ? parseRoleBlockId(action.block_id) : undefined;
    const userId = action?.selected_user;
    if (!parsed.success || !target || !userId || !ROLES.includes(target.role)) {
      await ack();
      await ephemeral(respond, ":warning: That choice could not be read; nothing was changed.");
      return;
    }
    const check = await checkPerson(ctx, userId);
    if (!check.ok) {
      await ack();
      await ephemeral(respond, `:warning: ${check.reason}`);
      return;
    }
    const r = await assignRoleJourney(ctx, { incidentId: target.incidentId, role: target.role, userId, actor: parsed.data.user.id });
    await ack();
    await tell(respond, r, userId);
  });
}
