// Short, specific explanations of Slack errors for the people in the channel (the log gets the
// method and code; people get what it means and what to do).

import type { SlackCallError } from "./api.ts";

const EXPLAIN: Record<string, string> = {
  not_in_channel: "I am not a member of that channel. Invite me with `/invite @warroom`.",
  channel_not_found: "that channel does not exist, or it is private and I am not in it. Check `announce_channel` in the configuration, or invite me.",
  is_archived: "that channel is archived.",
  missing_scope: "the app lacks a permission it needs (missing_scope). Update the app from manifest.yml and reinstall it.",
  restricted_action: "a workspace setting does not allow the app to do this (restricted_action). An admin can change it.",
  cannot_create_channel: "Slack would not create the channel (cannot_create_channel).",
  name_taken: "that channel name is already taken.",
  canvas_disabled_user_team: "canvases are turned off in this workspace.",
  team_tier_cannot_create_channel_canvases: "this workspace's plan cannot create channel canvases.",
  user_not_found: "Slack does not know that person (they may have been deactivated).",
  cant_invite: "Slack would not let me invite that person (cant_invite).",
  ratelimited: "Slack is rate-limiting me; I will retry shortly.",
  rate_limited: "Slack is rate-limiting me; I will retry shortly.",
  invalid_auth: "my Slack token is not valid any more. An admin must reinstall the app.",
  account_inactive: "my Slack token is not valid any more. An admin must reinstall the app.",
  token_revoked: "my Slack token was revoked. An admin must reinstall the app.",
};

export function explainSlackError(err: SlackCallError): string {
  return EXPLAIN[err.code] ?? `Slack answered \`${err.code}\` to \`${err.method}\`.`;
}
