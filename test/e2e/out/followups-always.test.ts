// `export: always`: every action item becomes an issue when it is added, with no button to press —
// but never a drill's or a private incident's (their titles are not for a shared tracker).

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeLinear, startFakeLinear } from "../../fake-linear/server.ts";
import { type Harness, startHarness } from "../../support/harness.ts";
import { declareFast, flat, says, submitDeclareForm } from "../../support/incidents.ts";
import { sleep, until } from "../../support/wait.ts";

let h: Harness;
let lin: FakeLinear;

beforeAll(async () => {
  lin = await startFakeLinear({ teamKey: "ENG" });
  h = await startHarness({ env: { LINEAR_API_KEY: lin.key }, configYaml: `followups:\n  linear: { team_key: ENG, api_url: "${lin.url}/graphql" }\n  export: always\n` });
});
afterAll(async () => {
  await h?.stop();
  await lin?.stop();
});

describe("export: always", () => {
  it("exports an item as it is added, and offers no button", async () => {
    const inc = (await declareFast(h, "sev2 Queue backlog growing", h.users.alice)).incident;
    await h.slack.command("action Autoscale the consumers", { user: h.users.alice.id, channel: inc.channel.id });
    const item = await until(() => h.db.actionItem.findFirst({ where: { incidentId: inc.id, trackerUrl: { not: null } } }), 10_000, "the item exported");
    expect(item.trackerKey).toBe("ENG-1");
    expect(lin.issues.map((i) => i.title)).toEqual(["Autoscale the consumers"]);
    const echo = await says(inc, "Action item #1 for the");
    expect(flat(echo)).not.toContain("Create in Linear");
    // the channel hears where it went
    await says(inc, "Action item #1 is now Linear issue");
  });

  it("never exports a drill's or a private incident's items", async () => {
    await h.slack.command("drill sev3 Practice the queue failover", { user: h.users.bob.id, channel: h.general.id });
    const drill = await until(() => h.db.incident.findFirst({ where: { title: "Practice the queue failover", channelId: { not: null } } }), 10_000, "the drill");
    await h.slack.command("action Write the failover runbook", { user: h.users.bob.id, channel: drill.channelId as string });
    await submitDeclareForm(h, { title: "Leaked signing key", severity: "SEV1", private: true }, h.users.carol);
    const secret = await until(() => h.db.incident.findFirst({ where: { title: "Leaked signing key", channelId: { not: null } } }), 10_000, "the private incident");
    await h.slack.command("action Rotate the signing key", { user: h.users.carol.id, channel: secret.channelId as string });
    await until(async () => (await h.db.actionItem.count({ where: { incidentId: { in: [drill.id, secret.id] } } })) === 2, 10_000, "both items");
    await sleep(1500);
    expect(lin.issues).toHaveLength(1);
    expect(await h.db.actionItem.count({ where: { incidentId: { in: [drill.id, secret.id] }, trackerUrl: { not: null } } })).toBe(0);
  });
});
