// The digest's content: incidents declared since the last digest by severity, those still open (a
// private one counted, never named), the median time to resolve and punctuality, overdue action
// items with their owners; drills not counted.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FakeConversation } from "../../../src/local-slack/workspace.ts";
import { type Harness, startHarness } from "../../support/harness.ts";
import { declareFast, flat, submitDeclareForm } from "../../support/incidents.ts";
import { until } from "../../support/wait.ts";

let h: Harness;
let digests: FakeConversation;
beforeAll(async () => {
  h = await startHarness({ configYaml: "announce_channel: incidents\ndigest:\n  cron: '*/2 * * * * *'\n  channel: digests\n" });
  h.fake.ws.addChannel("incidents", {});
  digests = h.fake.ws.addChannel("digests", { members: [h.fake.ws.botUserId] });
});
afterAll(async () => {
  await h?.stop();
});

describe("the digest", () => {
  it("says what happened since the last one, what is open, and what is overdue, naming no private incident", async () => {
    const { incident: a } = await declareFast(h, "sev2 Checkout failing", h.users.alice);
    await h.slack.command(`action Fix the retry storm <@${h.users.bob.id}> due 2026-01-05`, { user: h.users.alice.id, channel: a.channel.id });
    const { incident: b } = await declareFast(h, "sev3 Reports late", h.users.alice);
    await h.slack.command("resolve Caught up", { user: h.users.alice.id, channel: b.channel.id });
    await submitDeclareForm(h, { title: "Secret leak", severity: "SEV1", private: true }, h.users.carol);
    await h.slack.command("drill sev1 Practice outage", { user: h.users.alice.id, channel: h.general.id });
    await until(() => h.db.incident.findFirst({ where: { title: "Secret leak" } }), 5000, "the private incident");
    const since = Date.now();
    const digest = await until(() => digests.messages.find((m) => Number(m.ts) * 1000 > since + 2000 && flat(m).includes("Checkout failing")), 10_000, "a digest after the incidents");
    const text = flat(digest);
    expect(text).toContain("Incident digest");
    expect(text).toContain(`*INC-${a.number}* SEV2 · Checkout failing`);
    expect(text).not.toContain("Reports late");
    expect(text).not.toContain("Secret leak");
    expect(text).toContain("…and 1 private incident");
    expect(text).not.toContain("Practice outage");
    expect(text).toContain(`Fix the retry storm · <@${h.users.bob.id}> · due 2026-01-05`);
    expect(text).toContain("*Median time to resolve:*");
    expect(text).toContain("*Update punctuality:*");
  });

  it("is posted once per scheduled time", async () => {
    await until(() => digests.messages.length >= 3, 10_000, "three digests");
    const keys = digests.messages.map((m) => String(m.metadata?.event_payload.key));
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.every((k) => /^digest:\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.000)?Z$/.test(k))).toBe(true);
  });
});
