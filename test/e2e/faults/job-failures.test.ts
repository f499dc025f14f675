// Work that fails for good is never only logged: the person who asked is told, through their
// interaction's response_url, or by DM when that no longer answers. Here the database refuses every
// attempt at a fast declaration (a constraint added for the test), so its job dies.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../../support/harness.ts";
import { holdInTransaction } from "../../support/hold.ts";
import { declareFast } from "../../support/incidents.ts";
import { until } from "../../support/wait.ts";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ start: { worker: { maxAttempts: 2 } } });
  await h.db.$executeRawUnsafe(`ALTER TABLE incidents ADD CONSTRAINT test_refuses_doomed CHECK (title NOT LIKE 'Doomed%')`);
});
afterAll(async () => {
  await h?.stop();
});

describe("a fast declaration that cannot be recorded", () => {
  it("tells the declarer through the command's response_url, after its attempts", async () => {
    const res = await h.slack.command("declare sev2 Doomed checkout", { user: h.users.alice.id, channel: h.general.id });
    expect(res.json?.text).toContain("Declaring SEV2");
    const told = await until(() => h.fake.responsesTo(res.responseUrl).find((r) => String(r.body.text).includes("I could not declare")), 15_000, "the declarer to be told");
    expect(told.body).toMatchObject({ response_type: "ephemeral" });
    expect(String(told.body.text)).toBe(":warning: I could not declare your incident after 2 attempts: an unexpected error (see the bot's log)");
    expect(await h.db.job.count({ where: { kind: "request.declare", status: "dead" } })).toBe(1);
    expect(await h.db.incident.count()).toBe(0);
  });

  it("tells the declarer by DM when the response_url no longer answers", async () => {
    const res = await h.slack.command("declare sev2 Doomed search", { user: h.users.bob.id, channel: h.general.id, responseUrl: "http://127.0.0.1:9/expired" });
    expect(res.status).toBe(200);
    const dm = await until(() => h.fake.ws.imWith(h.users.bob.id).messages.find((m) => m.text.includes("I could not declare")), 20_000, "the DM");
    expect(dm.text).toContain("after 2 attempts");
  });
});

describe("a command slower than Slack's 3 seconds (the incident's row held by another transaction)", () => {
  it("is acknowledged empty in time, and its answer follows through the response_url", async () => {
    const inc = (await declareFast(h, "sev2 Slow database", h.users.alice)).incident;
    const held = await holdInTransaction(h.db, "SELECT id FROM incidents WHERE id = $1::uuid FOR UPDATE", inc.id);
    const sent = h.slack.command("resolve Rolled back the slow query", { user: h.users.alice.id, channel: inc.channel.id });
    const res = await sent;
    await held.release();
    expect(res.status).toBe(200);
    expect(res.text).toBe("");
    expect(res.ms).toBeLessThan(2_800);
    const told = await until(() => h.fake.responsesTo(res.responseUrl).find((r) => String(r.body.text).includes("is resolved")), 15_000, "the late answer");
    expect(told.body).toMatchObject({ response_type: "ephemeral", text: `INC-${inc.number} is resolved. Reminders stopped; the postmortem draft is on its way.` });
    expect((await h.db.incident.findUniqueOrThrow({ where: { id: inc.id } })).status).toBe("resolved");
  });
});
