// What Slack's payloads say of the person, the team and a view, and the text a person types as
// Slack's client sends it.

import type { FakeUser, FakeView, Workspace } from "../local-slack/workspace.ts";
import { type RawValues, viewState } from "./state.ts";

type Json = Record<string, unknown>;

/** The person, as interaction payloads name them. */
export function who(ws: Workspace, user: FakeUser): Json {
  return { id: user.id, username: user.name, name: user.name, team_id: ws.teamId };
}

export function team(ws: Workspace): Json {
  return { id: ws.teamId, domain: ws.teamDomain };
}

/** Text a person types, as Slack's client sends it: &, < and > escaped; @name and #channel as links. */
export function encode(ws: Workspace, text: string, forCommand = false): string {
  const escaped = text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  return escaped
    .replace(/(^|\s)@([a-z0-9._-]+)/g, (whole, before: string, name: string) => {
      const u = [...ws.users.values()].find((x) => x.name === name);
      return u ? `${before}<@${u.id}${forCommand ? `|${name}` : ""}>` : whole;
    })
    .replace(/(^|\s)#([a-z0-9_-]+)/g, (whole, before: string, name: string) => {
      const c = ws.channelByName(name);
      return c ? `${before}<#${c.id}|${name}>` : whole;
    });
}

/** A view as interaction payloads carry it, its inputs' state from what the person entered. */
export function viewPayload(ws: Workspace, v: FakeView, values: RawValues): Json {
  return {
    ...v.view,
    id: v.id,
    team_id: ws.teamId,
    app_id: ws.appId,
    bot_id: ws.botId,
    hash: v.hash,
    root_view_id: v.rootId,
    previous_view_id: v.previousId ?? null,
    app_installed_team_id: ws.teamId,
    private_metadata: v.view.private_metadata ?? "",
    callback_id: v.view.callback_id ?? "",
    external_id: v.view.external_id ?? "",
    state: { values: viewState(v.view.blocks, values) },
  };
}
