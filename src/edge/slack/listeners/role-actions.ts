// The opening message's role controls: a button per role to take it, and a user picker per role to
// assign it. Replies to the clicker are ephemeral; the channel sees the change through the echo and
// the re-rendered message.

import type { App, BlockAction as BoltBlockAction } from "@slack/bolt";
import { ROLES } from "../../../domain/roles.ts";
import type { Ctx } from "../../../incidents/context.ts";
import { ASSIGN_ROLE_REQUEST, recordRequest, TAKE_ROLE_REQUEST } from "../../../incidents/requests.ts";
import { decodeRoleButton, parseRoleBlockId } from "../../../slack/blocks/opening-message.ts";
import { ACTION } from "../../../slack/ids.ts";
import { blockAction } from "../payloads.ts";
import { whisper } from "./replies.ts";

export function registerRoleActions(app: App, ctx: Ctx): void {
  app.action<BoltBlockAction>(new RegExp(`^${ACTION.takeRole.replace(".", "\\.")}:`), async ({ ack, body, respond }) => {
    const parsed = blockAction.safeParse(body);
    const action = parsed.success ? parsed.data.actions[0] : undefined;
    const value = action?.value ? decodeRoleButton(action.value) : undefined;
    if (!parsed.success || !value || !ROLES.includes(value.role)) {
      await ack();
      ctx.log.warn({ actionId: action?.action_id }, "malformed role button payload");
      await whisper(respond, ":warning: That button could not be read; nothing was changed.");
      return;
    }
    // recorded before the acknowledgement, decided a moment after (the database decides races)
    await recordRequest(ctx, TAKE_ROLE_REQUEST, `action:${parsed.data.trigger_id}`, {
      incidentId: value.incidentId,
      role: value.role,
      actor: parsed.data.user.id,
      expected: value.expected,
      ...(parsed.data.response_url ? { responseUrl: parsed.data.response_url } : {}),
    }, value.incidentId);
    await ack();
  });

  app.action<BoltBlockAction>(ACTION.assignRole, async ({ ack, body, respond }) => {
    const parsed = blockAction.safeParse(body);
    const action = parsed.success ? parsed.data.actions[0] : undefined;
    const target = action?.block_id ? parseRoleBlockId(action.block_id) : undefined;
    const userId = action?.selected_user;
    if (!parsed.success || !target || !userId || !ROLES.includes(target.role)) {
      await ack();
      await whisper(respond, ":warning: That choice could not be read; nothing was changed.");
      return;
    }
    await recordRequest(ctx, ASSIGN_ROLE_REQUEST, `action:${parsed.data.trigger_id}`, {
      incidentId: target.incidentId,
      role: target.role,
      userId,
      actor: parsed.data.user.id,
      ...(parsed.data.response_url ? { responseUrl: parsed.data.response_url } : {}),
    }, target.incidentId);
    await ack();
  });
}
