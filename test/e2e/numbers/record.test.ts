// The record and its numbers end to end: /incident timestamps (the form, its checks as field errors,
// each correction on the timeline), acknowledged and mitigated set by what happens, /incident info with
// times, durations and punctuality, /incident stats over a period (drills and private incidents as the
// contract says), and drills.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { durations, effectiveTimestamps, recordedTimestamps } from "../../../src/domain/record.ts";
import { declare } from "../../../src/incidents/war-room/declare.ts";
import { refreshPunctuality } from "../../../src/incidents/numbers/record.ts";
import { type Harness, startHarness } from "../../support/harness.ts";
import { type DeclaredIncident, declareFast, flat, says, waitUntilReady } from "../../support/incidents.ts";
import { until } from "../../support/wait.ts";

let h: Harness;
let announce: { messages: { text: string }[] };
beforeAll(async () => {
  h = await startHarness({ configYaml: "announce_channel: incidents\ndrill_channel_prefix: practice\n" });
  announce = h.fake.ws.addChannel("incidents", {});
});
afterAll(async () => {
  await h?.stop();
});

const run = (inc: DeclaredIncident, text: string, user = h.users.alice) => h.slack.command(text, { user: user.id, channel: inc.channel.id });

type View = Record<string, unknown> & { id: string; blocks: { type: string; block_id?: string; element?: Record<string, unknown> }[] };

async function timestampsForm(inc: DeclaredIncident, user = h.users.alice): Promise<View> {
  const cmd = await run(inc, "timestamps", user);
  const opened = await until(() => h.fake.okCallsTo("views.open").find((c) => c.args.trigger_id === cmd.triggerId), 5000, "the timestamps form");
  return opened.response.view as View;
}

function submitTimes(view: View, times: Record<string, Date>, user = h.users.alice) {
  const values: Record<string, unknown> = {};
  for (const b of view.blocks.filter((x) => x.type === "input")) {
    const chosen = times[b.block_id as string];
    const initial = b.element?.initial_date_time as number | undefined;
    values[b.block_id as string] = { value: { type: "datetimepicker", selected_date_time: chosen ? Math.floor(chosen.getTime() / 1000) : (initial ?? null) } };
  }
  return h.slack.interaction({ type: "view_submission", user: { id: user.id, team_id: h.fake.ws.teamId }, team: { id: h.fake.ws.teamId }, view: { ...view, state: { values } } });
}

describe("the timestamps", () => {
  let inc: DeclaredIncident;
  beforeAll(async () => {
    inc = (await declareFast(h, "sev2 Latency in checkout", h.users.alice)).incident;
  });

  it("are set by what happens: declared and acknowledged by a person declaring, mitigated on the first move to monitoring", async () => {
    await run(inc, "status monitoring");
    const row = await until(() => h.db.incident.findFirst({ where: { id: inc.id, mitigatedAt: { not: null } } }), 5000, "mitigated_at");
    expect(row.acknowledgedAt?.getTime()).toBe(row.declaredAt.getTime());
    expect(row.detectedAt).toBeNull();
  });

  it("are shown in a form of datetimepickers, and a correction is saved, on the timeline with who, old and new", async () => {
    const view = await timestampsForm(inc);
    expect(view.blocks.filter((b) => b.type === "input").map((b) => b.block_id)).toEqual(["impact_started_at", "detected_at", "declared_at", "acknowledged_at", "mitigated_at"]);
    expect(view.blocks.find((b) => b.block_id === "declared_at")?.element?.type).toBe("datetimepicker");
    const row = await h.db.incident.findUniqueOrThrow({ where: { id: inc.id } });
    const impact = new Date(row.declaredAt.getTime() - 45 * 60_000);
    const detected = new Date(row.declaredAt.getTime() - 20 * 60_000);
    const res = await submitTimes(view, { impact_started_at: impact, detected_at: detected }, h.users.bob);
    expect(res.status).toBe(200);
    expect(res.text).toBe("");
    const saved = await h.db.incident.findUniqueOrThrow({ where: { id: inc.id } });
    expect(Math.floor((saved.impactStartedAt?.getTime() ?? 0) / 1000)).toBe(Math.floor(impact.getTime() / 1000));
    expect(saved.timestampSources).toEqual({ impact_started_at: h.users.bob.id, detected_at: h.users.bob.id });
    const entries = await h.db.timelineEntry.findMany({ where: { incidentId: inc.id, kind: "timestamp" }, orderBy: { id: "asc" } });
    expect(entries.map((e) => e.text)).toEqual([
      `<@${h.users.bob.id}> corrected impact started: ${row.declaredAt.toISOString().slice(0, 16).replace("T", " ")} UTC → ${impact.toISOString().slice(0, 16).replace("T", " ")} UTC`,
      `<@${h.users.bob.id}> corrected detected: ${row.declaredAt.toISOString().slice(0, 16).replace("T", " ")} UTC → ${detected.toISOString().slice(0, 16).replace("T", " ")} UTC`,
    ]);
    await says(inc, `<@${h.users.bob.id}> corrected impact started`);
    // the durations follow
    const d = durations(effectiveTimestamps(recordedTimestamps({ ...saved, timestampSources: saved.timestampSources as Record<string, string> }, h.fake.ws.botUserId)));
    expect(d.time_to_detect).toBe(25 * 60);
  });

  it.each([
    ["out of order", (declared: Date) => ({ detected_at: new Date(declared.getTime() + 10 * 60_000) }), "declared_at", "Declared cannot be before detected."],
    ["in the future", () => ({ mitigated_at: new Date(Date.now() + 3_600_000) }), "mitigated_at", "Mitigated cannot be in the future."],
    ["impact after detection", () => ({ impact_started_at: new Date(Date.now() - 60_000), detected_at: new Date(Date.now() - 3_600_000) }), "detected_at", "Detected cannot be before impact started."],
  ])("refuses a correction %s, as an error on the field, changing nothing", async (_what, change, field, message) => {
    const view = await timestampsForm(inc);
    const before = await h.db.incident.findUniqueOrThrow({ where: { id: inc.id } });
    const res = await submitTimes(view, change(before.declaredAt));
    expect(res.json?.response_action).toBe("errors");
    expect(res.json?.errors).toMatchObject({ [field]: message });
    const after = await h.db.incident.findUniqueOrThrow({ where: { id: inc.id } });
    expect(after.version).toBe(before.version);
  });

  it("start with the punctuality their history gives: the declaration's own figures are those a refresh works out", async () => {
    const { id } = (await declareFast(h, "sev2 Punctuality from the first second", h.users.alice)).incident;
    const select = { punctKept: true, punctMissed: true, punctPendingAt: true } as const;
    const declared = await h.db.incident.findUniqueOrThrow({ where: { id }, select });
    expect(declared.punctPendingAt).not.toBeNull();
    const row = await h.db.incident.findUniqueOrThrow({ where: { id } });
    await refreshPunctuality(h.db, h.bot.ctx.config, row, row.declaredAt);
    expect(await h.db.incident.findUniqueOrThrow({ where: { id }, select })).toEqual(declared);
  });

  it("shows the times, durations and punctuality in /incident info", async () => {
    const res = await run(inc, "info");
    const text = JSON.stringify(res.json);
    expect(text).toContain("*Times:* Impact started <!date^");
    expect(text).toContain("*Durations:* Time to detect 25m");
    expect(text).toContain("*Update punctuality:*");
    expect(text).toContain("*Checklist:*");
  });

  it("adds resolved (and closed) to the form once they happened", async () => {
    await run(inc, "resolve Fixed");
    const view = await timestampsForm(inc);
    expect(view.blocks.filter((b) => b.type === "input").map((b) => b.block_id)).toContain("resolved_at");
    expect(view.blocks.filter((b) => b.type === "input").map((b) => b.block_id)).not.toContain("closed_at");
  });

  it("are acknowledged, for an incident the bot declared, the first time a person acts in it", async () => {
    const r = await declare(h.bot.ctx, { teamId: h.fake.ws.teamId, userId: h.fake.ws.botUserId, icId: null, title: "From an alert", severity: "SEV3", isPrivate: false, declareKey: "test:ack" });
    const bot = await waitUntilReady(h, r.incident.id);
    expect((await h.db.incident.findUniqueOrThrow({ where: { id: bot.id } })).acknowledgedAt).toBeNull();
    expect(flat(bot.opening)).toContain("Who takes Incident Commander?");
    await run(bot, "note Looking at it", h.users.carol);
    await run(bot, `role tech <@${h.users.carol.id}>`, h.users.carol);
    const row = await until(() => h.db.incident.findFirst({ where: { id: bot.id, acknowledgedAt: { not: null } } }), 5000, "acknowledged");
    expect(row.acknowledgedAt?.getTime()).toBeGreaterThan(row.declaredAt.getTime());
  });
});

describe("/incident stats", () => {
  it("counts the period's incidents by severity, with durations, punctuality and action items, and names none", async () => {
    const { incident } = await declareFast(h, "sev1 Everything down", h.users.dave);
    await h.slack.command(`action Write the runbook <@${h.users.dave.id}> due 2026-01-02`, { user: h.users.dave.id, channel: incident.channel.id });
    await run(incident, "resolve Back up", h.users.dave);
    const res = await h.slack.command("stats", { user: h.users.bob.id, channel: h.general.id });
    expect(res.json?.response_type).toBe("ephemeral");
    const text = JSON.stringify(res.json);
    const total = await h.db.incident.count({ where: { isDrill: false } });
    expect(text).toContain(`Incidents in the last 30 days: ${total}`);
    expect(text).toMatch(/SEV1 \d+ · SEV2 \d+ · SEV3 \d+ · SEV4 \d+/);
    expect(text).toMatch(/\*Time to resolve:\* median [^,]+, 90th percentile [^(]+\(n = \d+\)/);
    expect(text).toContain("*Update punctuality:*");
    expect(text).toMatch(/\*Action items:\* \d+ open \(1 overdue\), 0 done/);
    expect(text).not.toContain("Everything down");
    for (const p of ["7d", "90d", "all"]) expect((await h.slack.command(`stats ${p}`, { user: h.users.bob.id, channel: h.general.id })).json?.text).toContain("Incidents in");
    const bad = await h.slack.command("stats forever", { user: h.users.bob.id, channel: h.general.id });
    expect(bad.json?.text).toContain('"forever" is not a period: use 7d, 30d, 90d or all.');
  });
});

describe("drills", () => {
  it("declares a practice incident: its own prefix, DRILL first, never announced, not counted", async () => {
    const before = (await h.slack.command("stats all", { user: h.users.bob.id, channel: h.general.id })).json?.text;
    const res = await h.slack.command("drill sev1 Database failover", { user: h.users.alice.id, channel: h.general.id });
    expect(res.json?.text).toContain("Declaring a DRILL at SEV1");
    const row = await until(() => h.db.incident.findFirst({ where: { title: "Database failover", channelId: { not: null } } }), 8000, "the drill's channel");
    const inc = await waitUntilReady(h, row.id);
    expect(row.isDrill).toBe(true);
    expect(inc.channel.name).toMatch(/^practice-\d{4}-\d{2}-\d{2}-database-failover$/);
    expect(flat(inc.opening)).toContain("DRILL · 🚨 INCIDENT DECLARED");
    await until(() => inc.channel.topic.startsWith("DRILL · "), 5000, "the topic");
    await run(inc, "update Failing over now");
    await run(inc, "resolve Failed over");
    await says(inc, "resolved");
    await new Promise((r) => setTimeout(r, 500));
    expect(announce.messages.some((m) => m.text.includes("Database failover") || m.text.includes(`INC-${inc.number}`))).toBe(false);
    expect((await h.slack.command("stats all", { user: h.users.bob.id, channel: h.general.id })).json?.text).toBe(before);
    const entry = await h.db.timelineEntry.findFirst({ where: { incidentId: inc.id, kind: "declared" } });
    expect(entry?.text).toContain("declared a DRILL SEV1 (Critical) incident");
  });

  it("can be declared with the form's checkbox", async () => {
    const cmd = await h.slack.command("drill", { user: h.users.alice.id, channel: h.general.id });
    const opened = await until(() => h.fake.okCallsTo("views.open").find((c) => c.args.trigger_id === cmd.triggerId), 5000, "the form");
    const view = opened.response.view as View;
    const visibility = view.blocks.find((b) => b.block_id === "private")?.element as { initial_options?: { value: string }[] };
    expect(visibility.initial_options?.map((o) => o.value)).toEqual(["drill"]);
    const values = {
      title: { value: { type: "plain_text_input", value: "Form drill" } },
      severity: { value: { type: "static_select", selected_option: { value: "SEV2" } } },
      commander: { value: { type: "users_select", selected_user: h.users.alice.id } },
      private: { value: { type: "checkboxes", selected_options: [{ value: "drill" }] } },
    };
    await h.slack.interaction({ type: "view_submission", user: { id: h.users.alice.id, team_id: h.fake.ws.teamId }, team: { id: h.fake.ws.teamId }, view: { ...view, state: { values } } });
    const row = await until(() => h.db.incident.findFirst({ where: { title: "Form drill" } }), 5000, "the drill");
    expect(row.isDrill).toBe(true);
  });
});
