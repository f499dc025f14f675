// "Help me choose" in the declare form, end to end: the button pushes the framework's severity
// assessment; submitting it returns to the declare form with the suggested severity selected, a line
// of reasons, and what had been typed kept; the declaration then takes the suggestion.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../../support/harness.ts";
import { flat } from "../../support/incidents.ts";
import { until } from "../../support/wait.ts";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});

type View = Record<string, unknown> & { id: string; blocks: { type: string; block_id?: string; element?: Record<string, unknown>; elements?: Record<string, unknown>[] }[] };

async function openDeclareForm(): Promise<View> {
  const cmd = await h.slack.command("declare", { user: h.users.alice.id, channel: h.general.id });
  const opened = await until(() => h.fake.okCallsTo("views.open").find((c) => c.args.trigger_id === cmd.triggerId), 5000, "the declare form");
  return opened.response.view as View;
}

function pressHelp(view: View, values: Record<string, unknown>) {
  const trigger = h.fake.ws.newTrigger(h.users.alice.id);
  const button = view.blocks.find((b) => b.type === "actions")?.elements?.find((e) => e.action_id === "warroom.assess_severity");
  if (!button) throw new Error("no Help me choose button");
  return {
    trigger,
    sent: h.slack.interaction({
      type: "block_actions",
      user: { id: h.users.alice.id, team_id: h.fake.ws.teamId },
      team: { id: h.fake.ws.teamId },
      trigger_id: trigger,
      container: { type: "view", view_id: view.id },
      view: { ...view, state: { values } },
      actions: [{ type: "button", action_id: button.action_id, block_id: "assess", value: button.value, action_ts: "1.1" }],
    }),
  };
}

const typed = {
  title: { value: { type: "plain_text_input", value: "Checkout down in the EU" } },
  severity: { value: { type: "static_select", selected_option: { value: "SEV3" } } },
  impact: { value: { type: "plain_text_input", value: "EU customers cannot pay" } },
  detection: { value: { type: "plain_text_input", value: null } },
  commander: { value: { type: "users_select", selected_user: null } },
  private: { value: { type: "checkboxes", selected_options: [] } },
};

const radio = (value: string) => ({ value: { type: "radio_buttons", selected_option: { value } } });

describe("Help me choose", () => {
  it("pushes the six questions, returns the suggestion and its reasons to the declare form, keeping what was typed", async () => {
    const form = await openDeclareForm();
    const values = { ...typed, commander: { value: { type: "users_select", selected_user: h.users.bob.id } } };
    const { trigger, sent } = pressHelp(form, values);
    expect((await sent).status).toBe(200);
    const pushed = await until(() => h.fake.okCallsTo("views.push").find((c) => c.args.trigger_id === trigger), 5000, "the assessment");
    const assessment = pushed.response.view as View;
    expect(assessment.callback_id).toBe("warroom.assess");
    expect(assessment.blocks.filter((b) => b.type === "input").map((b) => b.block_id)).toEqual(["users", "broken", "data", "workaround", "trend", "slo"]);

    const answers = { users: radio("subset"), broken: radio("core"), data: radio("no"), workaround: radio("none"), trend: radio("stable"), slo: radio("within") };
    const res = await h.slack.interaction({ type: "view_submission", user: { id: h.users.alice.id, team_id: h.fake.ws.teamId }, team: { id: h.fake.ws.teamId }, view: { ...assessment, state: { values: answers } } });
    expect(res.status).toBe(200);
    // a plain acknowledgement: Slack closes the assessment and shows the declare form again
    expect(res.text).toBe("");
    const updated = h.fake.okCallsTo("views.update").find((c) => c.args.view_id === form.id);
    if (!updated) throw new Error("the declare form was not updated");
    const view = updated.response.view as View;
    const severity = view.blocks.find((b) => b.block_id?.startsWith("severity"));
    expect(severity?.block_id).toBe("severity:SEV1");
    expect(severity?.element?.initial_option).toMatchObject({ value: "SEV1" });
    expect(flat({ text: "", blocks: view.blocks })).toContain("Suggested *SEV1*: a significant subset of users, core functionality broken, no workaround → SEV1");
    const initial = (id: string) => view.blocks.find((b) => b.block_id === id)?.element;
    expect(initial("title")?.initial_value).toBe("Checkout down in the EU");
    expect(initial("impact")?.initial_value).toBe("EU customers cannot pay");
    expect(initial("commander")?.initial_user).toBe(h.users.bob.id);
    expect(view.private_metadata).toBe(form.private_metadata);

    // declaring from the updated form takes the suggestion
    const submitted = await h.slack.interaction({
      type: "view_submission",
      user: { id: h.users.alice.id, team_id: h.fake.ws.teamId },
      team: { id: h.fake.ws.teamId },
      view: { ...view, id: form.id, state: { values: { ...values, severity: undefined, "severity:SEV1": { value: { type: "static_select", selected_option: { value: "SEV1" } } } } } },
    });
    expect(submitted.status).toBe(200);
    const row = await until(() => h.db.incident.findFirst({ where: { title: "Checkout down in the EU" } }), 8000, "the incident");
    expect(row.severity).toBe("SEV1");
    expect(row.icId).toBe(h.users.bob.id);
  });

  it("asks for every answer ('Not sure' is fine), field by field", async () => {
    const form = await openDeclareForm();
    const { trigger, sent } = pressHelp(form, typed);
    await sent;
    const pushed = await until(() => h.fake.okCallsTo("views.push").find((c) => c.args.trigger_id === trigger), 5000, "the assessment");
    const res = await h.slack.interaction({ type: "view_submission", user: { id: h.users.alice.id }, team: { id: h.fake.ws.teamId }, view: { ...(pushed.response.view as View), state: { values: { users: radio("all"), broken: radio("not_sure") } } } });
    expect(res.json).toEqual({
      response_action: "errors",
      errors: { data: "Pick an answer (Not sure is fine).", workaround: "Pick an answer (Not sure is fine).", trend: "Pick an answer (Not sure is fine).", slo: "Pick an answer (Not sure is fine)." },
    });
  });

  it("suggests SEV1 for data loss or a security risk, whatever else is said", async () => {
    const form = await openDeclareForm();
    const { trigger, sent } = pressHelp(form, typed);
    await sent;
    const pushed = await until(() => h.fake.okCallsTo("views.push").find((c) => c.args.trigger_id === trigger), 5000, "the assessment");
    const answers = { users: radio("edge"), broken: radio("secondary"), data: radio("yes"), workaround: radio("acceptable"), trend: radio("stable"), slo: radio("within") };
    await h.slack.interaction({ type: "view_submission", user: { id: h.users.alice.id }, team: { id: h.fake.ws.teamId }, view: { ...(pushed.response.view as View), state: { values: answers } } });
    const updated = h.fake.okCallsTo("views.update").filter((c) => c.args.view_id === form.id).at(-1);
    if (!updated) throw new Error("the declare form was not updated");
    expect(flat({ text: "", blocks: (updated.response.view as View).blocks })).toContain("Suggested *SEV1*: data loss or security risk → SEV1");
  });
});
