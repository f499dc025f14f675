// The status page form as a person uses it: `/incident statuspage` in the incident channel, then the
// form submitted as Slack shows it, with some fields filled over what it proposed.

import { expect } from "vitest";
import type { FakeSlack } from "../../src/local-slack/server.ts";
import type { FakeUser } from "../../src/local-slack/workspace.ts";
import type { SlackRequests } from "../../src/local-slack/deliver.ts";
import { until } from "./wait.ts";

export type StatuspageView = {
  id: string;
  callback_id: string;
  private_metadata: string;
  blocks: { type: string; block_id?: string; text?: { text: string }; label?: { type: string; text: string }; element?: Record<string, any> }[];
};

export interface StatuspageFill {
  name?: string;
  status?: string;
  body?: string;
  impact?: string;
  components?: string[];
  /** The built-in page's components (ids from status_page.components). */
  pageComponents?: string[];
  /** With both pages configured: which to publish to ("statuspage", "own_page"); unset: as proposed (both). */
  targets?: string[];
}

/** Opens the form with `/incident statuspage` in `channelId`; returns the view Slack got. */
export async function openStatuspageForm(fake: FakeSlack, slack: SlackRequests, channelId: string, user: FakeUser): Promise<StatuspageView> {
  const cmd = await slack.command("statuspage", { user: user.id, channel: channelId });
  expect(cmd.status).toBe(200);
  const opened = await until(() => fake.okCallsTo("views.open").find((c) => c.args.trigger_id === cmd.triggerId), 5000, "views.open");
  return opened.response.view as StatuspageView;
}

/** Submits the form as shown, with `fill` over what it proposed. */
export function submitStatuspageForm(fake: FakeSlack, slack: SlackRequests, view: StatuspageView, fill: StatuspageFill, user: FakeUser) {
  const el = (block: string) => view.blocks.find((b) => b.block_id === block)?.element ?? {};
  const values: Record<string, Record<string, unknown>> = {
    public_name: { value: { type: "plain_text_input", value: fill.name ?? el("public_name").initial_value ?? "" } },
    public_status: { value: { type: "static_select", selected_option: { value: fill.status ?? el("public_status").initial_option?.value } } },
    public_body: { value: { type: "plain_text_input", value: fill.body ?? el("public_body").initial_value ?? null } },
    public_impact: { value: { type: "static_select", selected_option: { value: fill.impact ?? el("public_impact").initial_option?.value } } },
  };
  if (view.blocks.some((b) => b.block_id === "public_components")) {
    const chosen: string[] = fill.components ?? (el("public_components").initial_options ?? []).map((o: { value: string }) => o.value);
    values.public_components = { value: { type: "multi_static_select", selected_options: chosen.map((v) => ({ value: v, text: { type: "plain_text", text: v } })) } };
  }
  if (view.blocks.some((b) => b.block_id === "public_page_components")) {
    const chosen: string[] = fill.pageComponents ?? (el("public_page_components").initial_options ?? []).map((o: { value: string }) => o.value);
    values.public_page_components = { value: { type: "multi_static_select", selected_options: chosen.map((v) => ({ value: v, text: { type: "plain_text", text: v } })) } };
  }
  if (view.blocks.some((b) => b.block_id === "public_targets")) {
    const chosen: string[] = fill.targets ?? (el("public_targets").initial_options ?? []).map((o: { value: string }) => o.value);
    values.public_targets = { value: { type: "checkboxes", selected_options: chosen.map((v) => ({ value: v, text: { type: "plain_text", text: v } })) } };
  }
  return slack.interaction({
    type: "view_submission",
    team: { id: fake.ws.teamId, domain: fake.ws.teamDomain },
    user: { id: user.id, username: user.name, name: user.name, team_id: fake.ws.teamId },
    api_app_id: fake.ws.appId,
    token: "verification_token",
    trigger_id: fake.ws.newTrigger(user.id),
    view: { ...view, state: { values } },
    response_urls: [],
  });
}
