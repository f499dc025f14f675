// Declaring an incident end to end: the real bot over HTTP, the fake Slack, a real database.

import { DateTime } from "luxon";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../../support/harness.ts";
import { declaredBy, declareFast, flat, openingOf, submitDeclareForm, waitUntilReady } from "../../support/incidents.ts";
import { until } from "../../support/wait.ts";

let h: Harness;
let announce: { id: string };
const today = () => DateTime.utc().toFormat("yyyy-MM-dd");

beforeAll(async () => {
  h = await startHarness({ configYaml: "announce_channel: incidents\n" });
  announce = h.fake.ws.addChannel("incidents", { members: [h.fake.ws.botUserId] });
});
afterAll(async () => {
  await h?.stop();
});


describe("the fast path: /incident declare sev2 <title>", () => {
  it("records the request before acknowledging, then declares and opens the incident channel", async () => {
    const { res, incident } = await declareFast(h, "sev2 Checkout errors spiking");
    expect(res.status).toBe(200);
    expect(res.ms).toBeLessThan(3000);
    expect(res.json?.response_type).toBe("ephemeral");
    expect(res.json?.text).toBe("Declaring SEV2 (High): Checkout errors spiking. Opening the incident channel; its link follows in a moment…");

    const row = await h.db.incident.findUniqueOrThrow({ where: { id: incident.id } });
    expect(row).toMatchObject({ title: "Checkout errors spiking", severity: "SEV2", status: "investigating", declaredBy: h.users.alice.id, icId: h.users.alice.id, isPrivate: false });

    // 2. the channel, named from the date and the title
    expect(incident.channel.name).toBe(`inc-${today()}-checkout-errors-spiking`);
    expect(incident.channel.isPrivate).toBe(false);
    // 3. the declarer is invited, the topic set
    expect(incident.channel.members.has(h.users.alice.id)).toBe(true);
    expect(incident.channel.topic).toBe(`INC-${incident.number} SEV2 High · Investigating · IC: alice · Checkout errors spiking`);
    // 4. the opening message, pinned
    const text = flat(incident.opening);
    expect(text).toContain("INCIDENT DECLARED");
    expect(text).toContain("*Severity:* SEV2 · High");
    expect(text).toContain("*Summary:* Checkout errors spiking");
    expect(text).toContain(`*Incident Commander:* <@${h.users.alice.id}>`);
    expect(text).toContain("*Tech Lead:* _unassigned_");
    expect(text).toContain("*Current status:* Investigating");
    expect(text).toMatch(/\*Next update:\* <!date\^\d+\^\{date_short_pretty\} at \{time\}\|[^>]+> or when we have significant news/);
    expect(incident.channel.pins.has(incident.opening.ts)).toBe(true);
    // 5. the broadcast
    const broadcast = h.fake.ws.conversations.get(announce.id)?.messages.find((m) => m.text.includes(`INC-${incident.number} declared`));
    expect(broadcast?.text).toContain(`<#${incident.channel.id}>`);
    // the confirmation with the channel link, replacing the "Declaring…" reply
    const confirmation = await until(() => h.fake.responsesTo(res.responseUrl)[0], 5000, "the confirmation");
    expect(confirmation.body).toMatchObject({ response_type: "ephemeral", replace_original: true });
    expect(String(confirmation.body.text)).toContain(`<#${incident.channel.id}>`);
    // the IC's brief, by DM
    const dm = await until(() => h.fake.ws.imWith(h.users.alice.id).messages.find((m) => m.text.includes("Incident Commander")), 5000, "the IC brief");
    expect(flat(dm)).toContain("What you don't do");
    // the timeline starts at the declaration
    const timeline = await h.db.timelineEntry.findMany({ where: { incidentId: incident.id }, orderBy: { id: "asc" } });
    expect(timeline.filter((t) => t.kind !== "checklist").map((t) => t.kind)).toEqual(["declared", "role_changed"]);
    // and the checklist's first ticks: declared (two items), the Incident Commander
    expect(timeline.filter((t) => t.kind === "checklist").map((t) => (t.data as { auto?: string }).auto).slice(0, 3)).toEqual(["declared", "declared", "ic_assigned"]);
    expect(timeline[0]?.text).toBe(`<@${h.users.alice.id}> declared a SEV2 (High) incident: Checkout errors spiking`);
  });

  it.each([
    ["SEV-1 Payments failing", "SEV1", "payments-failing"],
    ["sev4 Typo on the pricing page", "SEV4", "typo-on-the-pricing-page"],
    ["Search is slow", "SEV2", "search-is-slow"],
  ])("%j declares %s", async (text, severity, slug) => {
    const { incident } = await declareFast(h, text, h.users.bob);
    const row = await h.db.incident.findUniqueOrThrow({ where: { id: incident.id } });
    expect(row.severity).toBe(severity);
    expect(incident.channel.name).toBe(`inc-${today()}-${slug}`);
  });

  it("says when it defaulted the severity", async () => {
    const res = await h.slack.command("declare Queue backlog growing", { user: h.users.carol.id, channel: h.general.id });
    expect(res.json?.text).toContain("severity defaulted to SEV2");
  });

  it("numbers incidents per workspace, one after the other", async () => {
    const rows = await h.db.incident.findMany({ orderBy: { number: "asc" }, select: { number: true } });
    expect(rows.map((r) => r.number)).toEqual(rows.map((_r, i) => i + 1));
  });
});

describe("channel names", () => {
  it("falls back to the incident number for a title of emoji and punctuation only", async () => {
    const { incident } = await declareFast(h, "sev3 🔥🔥 !!! ???", h.users.dave);
    expect(incident.channel.name).toBe(`inc-${today()}-inc-${incident.number}`);
  });

  it("keeps a 200-character title's channel name within 80 characters", async () => {
    const title = "Replication lag on the primary database cluster is causing stale reads for European customers ".repeat(3).slice(0, 200).trim();
    const { incident } = await declareFast(h, `sev2 ${title}`, h.users.dave);
    expect(incident.channel.name.length).toBeLessThanOrEqual(80);
    expect(incident.channel.name).toMatch(new RegExp(`^inc-${today()}-replication-lag-on-the-primary-database-cluster`));
    const row = await h.db.incident.findUniqueOrThrow({ where: { id: incident.id } });
    expect(row.title).toBe(title);
  });

  it("takes -2 when the name is taken", async () => {
    h.fake.ws.addChannel(`inc-${today()}-disk-full`, { creator: h.users.bob.id });
    const { incident } = await declareFast(h, "sev3 Disk full", h.users.dave);
    expect(incident.channel.name).toBe(`inc-${today()}-disk-full-2`);
    const { incident: third } = await declareFast(h, "sev3 Disk full!", h.users.carol);
    expect(third.channel.name).toBe(`inc-${today()}-disk-full-3`);
  });

  it("gives two incidents of one title declared at once a channel each, while the first's answer from Slack is still on its way", async () => {
    h.fake.fail("conversations.create", { answerDelayMs: 1500, match: (a) => String(a.name).endsWith("twin-outage") });
    const [a, b] = await Promise.all([declareFast(h, "sev3 Twin outage", h.users.dave), declareFast(h, "sev3 Twin outage", h.users.carol)]);
    expect(a.incident.channel.id).not.toBe(b.incident.channel.id);
    expect([a.incident.channel.name, b.incident.channel.name].sort()).toEqual([`inc-${today()}-twin-outage`, `inc-${today()}-twin-outage-2`]);
  });

  it("adopts a channel of its own that no incident claims (made in a life a restored database does not remember)", async () => {
    const forgotten = h.fake.ws.addChannel(`inc-${today()}-lost-in-the-restore`, { creator: h.fake.ws.botUserId, members: [h.fake.ws.botUserId] });
    const { incident } = await declareFast(h, "sev3 Lost in the restore", h.users.dave);
    expect(incident.channel.id).toBe(forgotten.id);
    expect(h.fake.okCallsTo("conversations.create").filter((c) => String(c.args.name).includes("lost-in-the-restore"))).toHaveLength(0);
    // claimed now: the next incident of the same name gets a channel of its own
    const { incident: next } = await declareFast(h, "sev3 Lost in the restore", h.users.carol);
    expect(next.channel.name).toBe(`inc-${today()}-lost-in-the-restore-2`);
  });
});

describe("the form: /incident declare", () => {
  it("opens the declare form with every field, the declarer as IC and the severity rounded up", async () => {
    const cmd = await h.slack.command("declare", { user: h.users.bob.id, channel: h.general.id });
    expect(cmd.status).toBe(200);
    const open = await until(() => h.fake.okCallsTo("views.open").find((c) => c.args.trigger_id === cmd.triggerId), 5000, "views.open");
    const view = open.args.view as { title: { text: string }; blocks: { block_id?: string; element?: Record<string, unknown> }[] };
    expect(view.title.text).toBe("Declare an incident");
    const byId = Object.fromEntries(view.blocks.filter((b) => b.block_id).map((b) => [b.block_id, b]));
    expect(Object.keys(byId)).toEqual(expect.arrayContaining(["title", "severity", "impact", "detection", "commander", "private"]));
    expect(byId.commander?.element?.initial_user).toBe(h.users.bob.id);
    expect(byId.severity?.element?.initial_option).toMatchObject({ value: "SEV2" });
    expect(JSON.stringify(byId.severity)).toContain("When in doubt, round up");
    expect(JSON.stringify(view)).toContain("Complete outage or severe degradation");
  });

  it("declares with impact, detection and another person as IC", async () => {
    const { res } = await submitDeclareForm(h, { title: "Login failures for SSO users", severity: "SEV1", impact: "30% of logins fail", detection: "Pager alert on 5xx", commander: h.users.carol.id }, h.users.bob);
    expect(res.status).toBe(200);
    expect(res.text).toBe("");
    const row = await h.db.incident.findFirstOrThrow({ where: { title: "Login failures for SSO users" } });
    expect(row).toMatchObject({ severity: "SEV1", impact: "30% of logins fail", detection: "Pager alert on 5xx", icId: h.users.carol.id, declaredBy: h.users.bob.id });
    const inc = await waitUntilReady(h, row.id);
    expect(inc.channel.members.has(h.users.carol.id)).toBe(true);
    expect(inc.channel.members.has(h.users.bob.id)).toBe(true);
    const text = flat(openingOf(h, inc));
    expect(text).toContain("*Impact:* 30% of logins fail");
    expect(text).toContain("*Detection:* Pager alert on 5xx");
    expect(text).toContain(`*Incident Commander:* <@${h.users.carol.id}>`);
    // the chosen IC gets the brief
    await until(() => h.fake.ws.imWith(h.users.carol.id).messages.some((m) => m.text.includes("Incident Commander")), 5000, "the brief");
  });

  it.each([
    [{ title: "   " }, "title", "Give the incident a title"],
    [{ title: "x".repeat(81) }, "title", "under 80 characters"],
    [{ title: "Fine", severity: "SEV9" }, "severity", "Pick one of SEV1, SEV2, SEV3, SEV4"],
    [{ title: "Fine", commander: "UBOTWARROOM" }, "commander", "I can't hold a role myself"],
    [{ title: "Fine", commander: "U0NOBODY" }, "commander", "Slack doesn't know"],
  ])("keeps the form open with a field error for %j", async (form, field, message) => {
    const before = await h.db.incident.count();
    const { res } = await submitDeclareForm(h, { severity: "SEV2", ...form }, h.users.dave);
    expect(res.json?.response_action).toBe("errors");
    expect(res.json?.errors).toMatchObject({ [field]: expect.stringContaining(message) });
    expect(await h.db.incident.count()).toBe(before);
  });

  it("declares a private incident in a private channel and announces nothing", async () => {
    const announced = h.fake.ws.conversations.get(announce.id)?.messages.length ?? 0;
    await submitDeclareForm(h, { title: "Credential leak suspected", severity: "SEV1", private: true }, h.users.alice);
    const row = await h.db.incident.findFirstOrThrow({ where: { title: "Credential leak suspected" } });
    const inc = await waitUntilReady(h, row.id);
    expect(row.isPrivate).toBe(true);
    expect(inc.channel.isPrivate).toBe(true);
    expect(h.fake.callsTo("conversations.create").find((c) => c.args.name === inc.channel.name)?.args.is_private).toBe("true");
    // give a broadcast every chance to (wrongly) happen
    await new Promise((r) => setTimeout(r, 300));
    expect(h.fake.ws.conversations.get(announce.id)?.messages.length).toBe(announced);
  });

  it("makes one incident of one form however often it is submitted", async () => {
    const first = await submitDeclareForm(h, { title: "Double submit", severity: "SEV3" }, h.users.carol);
    const again = await h.slack.interaction(first.submission);
    expect(again.status).toBe(200);
    expect(await h.db.incident.count({ where: { title: "Double submit" } })).toBe(1);
  });
});

describe("hostile titles", () => {
  it("never lets a title ping @channel or forge a mention (fast path)", async () => {
    const { incident } = await declareFast(h, "sev2 <!channel> DB down, ask <@U0123ABC|mallory> &lt;!here&gt;", h.users.bob);
    const posted = [openingOf(h, incident), ...(h.fake.ws.conversations.get(announce.id)?.messages ?? [])].map(flat).join("\n");
    expect(posted).not.toContain("<!channel>");
    expect(posted).not.toContain("<!here>");
    expect(posted).not.toContain("<@U0123ABC");
    expect(flat(openingOf(h, incident))).toContain("@channel DB down, ask @mallory &lt;!here&gt;");
  });

  it("never lets a title ping @channel or forge a mention (form)", async () => {
    await submitDeclareForm(h, { title: "<!channel> <@U0123ABC> <https://evil.example|click>", severity: "SEV3" }, h.users.carol);
    const row = await h.db.incident.findFirstOrThrow({ where: { title: { startsWith: "<!channel>" } } });
    const inc = await waitUntilReady(h, row.id);
    const text = flat(openingOf(h, inc));
    expect(text).not.toContain("<!channel>");
    expect(text).not.toContain("<@U0123ABC>");
    expect(text).not.toContain("<https://evil.example");
    expect(text).toContain("&lt;!channel&gt; &lt;@U0123ABC&gt;");
  });
});

describe("Slack failing", () => {
  it("keeps the incident when conversations.create fails, and creates the channel on retry", async () => {
    h.fake.fail("conversations.create", { error: "internal_error" });
    const res = await h.slack.command("declare sev2 Cache stampede", { user: h.users.carol.id, channel: h.general.id });
    expect(res.json?.text).toMatch(/^Declaring SEV2/);
    const row = await declaredBy(h.db, h.fake.ws.teamId, res.triggerId);
    if (!row) throw new Error("not declared");
    const inc = await waitUntilReady(h, row.id);
    expect(inc.channel.name).toBe(`inc-${today()}-cache-stampede`);
    const creates = h.fake.callsTo("conversations.create").filter((c) => c.args.name === inc.channel.name);
    expect(creates.map((c) => c.response.ok)).toEqual([false, true]);
  });

  it("keeps the incident when Slack answers 500, and finishes later", async () => {
    h.fake.fail("chat.postMessage", { status: 500, match: (a) => String(a.text).includes("Thundering herd") });
    const { incident } = await declareFast(h, "sev3 Thundering herd", h.users.carol);
    const openings = incident.channel.messages.filter((m) => m.text.includes("INCIDENT DECLARED"));
    expect(openings).toHaveLength(1);
  });

  it("adopts the channel it created when Slack's answer to conversations.create was lost", async () => {
    h.fake.fail("conversations.create", { dropResponse: true, match: (a) => String(a.name).endsWith("lost-create-answer") });
    const res = await h.slack.command("declare sev3 Lost create answer", { user: h.users.bob.id, channel: h.general.id });
    const row = await declaredBy(h.db, h.fake.ws.teamId, res.triggerId);
    if (!row) throw new Error("not declared");
    const inc = await waitUntilReady(h, row.id);
    expect(res.status).toBe(200);
    expect(inc.channel.name).toBe(`inc-${today()}-lost-create-answer`);
    expect([...h.fake.ws.conversations.values()].filter((c) => c.name.includes("lost-create-answer"))).toHaveLength(1);
  });

  it("finds the opening message it posted when Slack's answer was lost, and posts no second one", async () => {
    h.fake.fail("chat.postMessage", { dropResponse: true, match: (a) => String(a.text).includes("Lost post answer") && String(a.text).includes("INCIDENT DECLARED") });
    const { incident } = await declareFast(h, "sev3 Lost post answer", h.users.bob);
    expect(incident.channel.messages.filter((m) => m.text.includes("INCIDENT DECLARED"))).toHaveLength(1);
    const effect = await h.db.slackEffect.findUniqueOrThrow({ where: { key: `opening:${incident.id}` } });
    expect(effect.attempts).toBe(2);
  });

  it("says in the channel when it cannot announce, and carries on", async () => {
    const bad = await startHarness({ configYaml: "announce_channel: C0GONE123\n", fake: h.fake });
    try {
      const res = await bad.slack.command("declare sev2 Announce target missing", { user: h.users.alice.id, channel: h.general.id });
      expect(res.status).toBe(200);
      const row = await declaredBy(bad.db, bad.fake.ws.teamId, res.triggerId);
      if (!row) throw new Error("not declared");
      const inc = await waitUntilReady(bad, row.id);
      const notice = await until(() => inc.channel.messages.find((m) => m.text.includes("could not announce")), 5000, "the notice");
      expect(notice.text).toContain("that channel does not exist, or it is private and I am not in it");
    } finally {
      await bad.stop();
    }
  });
});

describe("double submissions", () => {
  it("turns the same command sent twice into one incident", async () => {
    const a = await h.slack.command("declare sev2 Webhooks delayed", { user: h.users.dave.id, channel: h.general.id });
    const b = await h.slack.command("declare sev2 Webhooks delayed", { user: h.users.dave.id, channel: h.general.id });
    expect(a.json?.text).toMatch(/^Declaring SEV2/);
    await declaredBy(h.db, h.fake.ws.teamId, b.triggerId);
    expect(await h.db.incident.count({ where: { title: "Webhooks delayed" } })).toBe(1);
    // the one decided second (the worker may take either first) is told, where its "Declaring…" was
    const told = await until(() => [...h.fake.responsesTo(a.responseUrl), ...h.fake.responsesTo(b.responseUrl)].find((r) => String(r.body.text).startsWith("You just declared")), 5000, "the duplicate notice");
    expect(told.body).toMatchObject({ replace_original: true });
    expect(String(told.body.text)).toMatch(/^You just declared INC-\d+ \(Webhooks delayed\)/);
  });

  it("turns two identical commands at the same instant into one incident", async () => {
    const [a, b] = await Promise.all([
      h.slack.command("declare sev2 Racing declarations", { user: h.users.dave.id, channel: h.general.id }),
      h.slack.command("declare sev2 Racing declarations", { user: h.users.dave.id, channel: h.general.id, triggerId: "same-trigger.1" }),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    await declaredBy(h.db, h.fake.ws.teamId, a.triggerId);
    await declaredBy(h.db, h.fake.ws.teamId, b.triggerId);
    expect(await h.db.incident.count({ where: { title: "Racing declarations" } })).toBe(1);
    const notices = await until(() => {
      const all = [...h.fake.responsesTo(a.responseUrl), ...h.fake.responsesTo(b.responseUrl)].filter((r) => String(r.body.text).startsWith("You just declared"));
      return all.length > 0 ? all : undefined;
    }, 5000, "the duplicate notice");
    expect(notices).toHaveLength(1);
  });
});
