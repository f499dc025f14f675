// The opening message's role controls: a button per role to take it, and a user picker per role to
// assign it. Each click is recorded as a request before it is acknowledged and decided a moment
// after (the database decides races); the clicker hears back privately, the channel through the
// echo and the re-rendered message.

import type { App } from "@slack/bolt";
import { isRole } from "../../../domain/roles.ts";
import type { Ctx } from "../../../incidents/context.ts";
import { recordRequest } from "../../../incidents/requests.ts";
import { ASSIGN_ROLE_REQUEST, TAKE_ROLE_REQUEST } from "../../../incidents/war-room/roles.ts";
import { ACTION, decodeRoleButton, parseRoleRowBlock } from "../../../slack/ids.ts";
import { onAction } from "./replies.ts";

export function registerRoleActions(app: App, ctx: Ctx): void {
  onAction(app, ctx, new RegExp(`^${ACTION.takeRole.replace(".", "\\.")}:`), "your click", async ({ body, action, ack, whisper }) => {
    const value = action.value ? decodeRoleButton(action.value) : undefined;
    if (!value || !isRole(value.role)) {
      ctx.log.warn({ actionId: action.action_id }, "malformed role button payload");
      await ack();
      await whisper(":warning: That button could not be read; nothing was changed.");
      return;
    }
    await recordRequest(ctx, TAKE_ROLE_REQUEST, `action:${body.trigger_id}`, {
      incidentId: value.incidentId,
      role: value.role,
      actor: body.user.id,
      expected: value.expected,
      ...(body.response_url ? { responseUrl: body.response_url } : {}),
    }, value.incidentId);
  });

  onAction(app, ctx, ACTION.assignRole, "your choice", async ({ body, action, ack, whisper }) => {
    const target = action.block_id ? parseRoleRowBlock(action.block_id) : undefined;
    const userId = action.selected_user;
    if (!target || !userId || !isRole(target.role)) {
      await ack();
      await whisper(":warning: That choice could not be read; nothing was changed.");
      return;
    }
    await recordRequest(ctx, ASSIGN_ROLE_REQUEST, `action:${body.trigger_id}`, {
      incidentId: target.incidentId,
      role: target.role,
      userId,
      actor: body.user.id,
      ...(body.response_url ? { responseUrl: body.response_url } : {}),
    }, target.incidentId);
  });
}
