// With SLACK_APP_TOKEN set, the bot uses Socket Mode: it opens the connection through
// apps.connections.open at SLACK_API_URL and answers envelopes over the WebSocket.

import { afterAll, beforeAll, expect, it } from "vitest";
import { type Harness, startHarness } from "../../support/harness.ts";
import { holdInTransaction } from "../../support/hold.ts";
import { until } from "../../support/wait.ts";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ env: { SLACK_APP_TOKEN: "xapp-test-token" } });
});
afterAll(async () => {
  await h?.stop();
});

/** `/incident help` from alice in #general, as a Socket Mode envelope's payload. */
const helpCommand = () => ({
  token: "x",
  team_id: h.fake.ws.teamId,
  channel_id: h.general.id,
  user_id: h.users.alice.id,
  command: "/incident",
  text: "help",
  response_url: h.fake.responseUrl(),
  trigger_id: h.fake.ws.newTrigger(h.users.alice.id),
  api_app_id: h.fake.ws.appId,
});

it("connects over Socket Mode through SLACK_API_URL with the app token", async () => {
  await until(() => h.fake.socketConnected, 10_000, "the Socket Mode connection");
  expect(h.fake.okCallsTo("apps.connections.open").length).toBeGreaterThan(0);
});

it("answers /incident help in the envelope's acknowledgement", async () => {
  await until(() => h.fake.socketConnected, 10_000, "the Socket Mode connection");
  const ack = (await h.fake.sendEnvelope("slash_commands", helpCommand())) as Record<string, unknown>;
  expect(ack.response_type).toBe("ephemeral");
  expect(JSON.stringify(ack)).toContain("/incident declare");
});

it("times each envelope's acknowledgement in warroom_ack_duration_seconds{surface=\"slack\"}", async () => {
  await until(() => h.fake.socketConnected, 10_000, "the Socket Mode connection");
  const acks = async () => {
    const metric = (await h.bot.deps.metrics.registry.getSingleMetric("warroom_ack_duration_seconds")?.get())?.values ?? [];
    return metric.find((v) => (v as { metricName?: string }).metricName === "warroom_ack_duration_seconds_count" && v.labels.surface === "slack")?.value ?? 0;
  };
  const before = await acks();
  await h.fake.sendEnvelope("slash_commands", helpCommand());
  await until(async () => (await acks()) === before + 1, 5000, "the acknowledgement counted");
});

it("still serves /healthz, and no /slack/events endpoint", async () => {
  expect((await fetch(`${h.url}/healthz`)).status).toBe(200);
  expect((await fetch(`${h.url}/slack/events`, { method: "POST", body: "{}" })).status).toBe(404);
});

it("acknowledges an Events API envelope only once the event is recorded (the database held meanwhile)", async () => {
  await until(() => h.fake.socketConnected, 10_000, "the Socket Mode connection");
  const user = h.users.bob.id;
  // the inbox's table is held: the event cannot be recorded until it is let go
  const held = await holdInTransaction(h.db, "LOCK TABLE processed_requests IN ACCESS EXCLUSIVE MODE");
  const eventId = `EvSocketHeld${Date.now()}`;
  let ackedAt = 0;
  const acked = h.fake
    .sendEnvelope(
      "events_api",
      {
        token: "x",
        team_id: h.fake.ws.teamId,
        api_app_id: h.fake.ws.appId,
        type: "event_callback",
        event_id: eventId,
        event_time: Math.floor(Date.now() / 1000),
        event: { type: "app_home_opened", user, channel: "D0HOME", tab: "home" },
      },
      15_000,
    )
    .then(() => (ackedAt = Date.now()));
  await new Promise((r) => setTimeout(r, 1500));
  expect(ackedAt).toBe(0);
  const releasedAt = Date.now();
  await held.release();
  await acked;
  expect(ackedAt).toBeGreaterThanOrEqual(releasedAt);
  expect(await h.db.processedRequest.count({ where: { key: `event:${eventId}` } })).toBe(1);
  await until(() => h.fake.okCallsTo("views.publish").find((c) => c.args.user_id === user), 10_000, "the App Home published");
});
