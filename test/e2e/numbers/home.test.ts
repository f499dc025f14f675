// The App Home end to end: the open incidents the viewer may see (a private one only for its people),
// where they hold a role, their open action items with Mark done (the tab shows it done), the last 30
// days in a line, the declare button.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FakeUser } from "../../../src/local-slack/workspace.ts";
import { type Harness, startHarness } from "../../support/harness.ts";
import { declareFast, submitDeclareForm, waitUntilReady } from "../../support/incidents.ts";
import { until } from "../../support/wait.ts";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});

let event = 0;
async function openHome(user: FakeUser) {
  const before = h.fake.okCallsTo("views.publish").length;
  await h.slack.event({ type: "app_home_opened", user: user.id, channel: "D0HOME", tab: "home" }, { eventId: `EvHome${++event}` });
  await until(() => h.fake.okCallsTo("views.publish").length > before, 5000, "the App Home");
  return h.fake.ws.homeViews.get(user.id)?.view as { blocks: { type: string; text?: { text: string }; accessory?: { action_id: string; value: string }; elements?: { text: string }[] }[] };
}

const text = (v: Awaited<ReturnType<typeof openHome>>) => JSON.stringify(v.blocks);

describe("the App Home", () => {
  it("shows what the viewer may see, their roles and action items, the last 30 days, and the declare button", async () => {
    const { incident: open } = await declareFast(h, "sev2 Search is slow", h.users.alice);
    await h.slack.command(`role tech <@${h.users.bob.id}>`, { user: h.users.alice.id, channel: open.channel.id });
    await h.slack.command(`action Add a search canary <@${h.users.bob.id}> due 2026-12-31`, { user: h.users.alice.id, channel: open.channel.id });
    const { res } = await submitDeclareForm(h, { title: "Leaked credentials", severity: "SEV1", private: true }, h.users.carol);
    expect(res.status).toBe(200);
    const secret = await until(() => h.db.incident.findFirst({ where: { title: "Leaked credentials" } }), 5000, "the private incident");
    await waitUntilReady(h, secret.id);

    const bob = await openHome(h.users.bob);
    const b = text(bob);
    expect(b).toContain("Declare an incident");
    expect(b).toMatch(/Last 30 days: \d+ incidents? · median time to resolve/);
    expect(b).toContain(`*INC-${open.number}*`);
    expect(b).toContain("Search is slow");
    expect(b).toContain(`IC <@${h.users.alice.id}>`);
    expect(b).toContain("next update <!date^");
    expect(b).toContain("Your roles (1)");
    expect(b).toContain(`*Tech Lead* of *INC-${open.number}*`);
    expect(b).toContain("Your action items (1)");
    expect(b).toContain("Add a search canary");
    // a private incident is not Bob's to see
    expect(b).not.toContain("Leaked credentials");
    expect(text(await openHome(h.users.carol))).toContain("Leaked credentials");

    // Mark done from the App Home: done, and the tab shows it
    const button = bob.blocks.find((x) => x.accessory?.action_id === "warroom.action_item_done")?.accessory;
    if (!button) throw new Error("no Mark done button");
    const before = h.fake.okCallsTo("views.publish").length;
    const click = await h.slack.interaction({
      type: "block_actions",
      user: { id: h.users.bob.id, team_id: h.fake.ws.teamId },
      team: { id: h.fake.ws.teamId },
      trigger_id: h.fake.ws.newTrigger(h.users.bob.id),
      container: { type: "view", view_id: h.fake.ws.homeViews.get(h.users.bob.id)?.id },
      view: { id: h.fake.ws.homeViews.get(h.users.bob.id)?.id, type: "home" },
      actions: [{ type: "button", action_id: button.action_id, value: button.value, action_ts: "1.1" }],
    });
    expect(click.status).toBe(200);
    await until(() => h.fake.okCallsTo("views.publish").length > before, 5000, "the App Home again");
    const republished = h.fake.ws.homeViews.get(h.users.bob.id)?.view as { blocks: never[] } | undefined;
    const after = text({ blocks: republished?.blocks ?? [] });
    expect(after).toContain("No open action items");
    expect((await h.db.actionItem.findFirstOrThrow({ where: { text: "Add a search canary" } })).status).toBe("done");
  });
});
