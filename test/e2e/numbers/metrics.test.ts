// GET /metrics end to end: the bearer token when METRICS_TOKEN is set, the text parsed back with a
// Prometheus exposition-format parser, and each counter moving when its thing happens (a declaration,
// a reminder, Slack calls and a 429, an acknowledgement, a webhook delivered and retried, a job that
// failed for good). Numbers only: no title, name or id appears.

import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startReceiver, type WebhookReceiver } from "../../fake-webhooks/receiver.ts";
import { type Harness, startHarness } from "../../support/harness.ts";
import { declareFast, FAST_SEVERITIES, says } from "../../support/incidents.ts";
import { until } from "../../support/wait.ts";

const TOKEN = "metrics-token-0123456789abcdef";
const SECRET = `whsec_${Buffer.from("m".repeat(32)).toString("base64")}`;

let h: Harness;
let hook: WebhookReceiver;

beforeAll(async () => {
  hook = await startReceiver("/hook");
  h = await startHarness({
    env: { METRICS_TOKEN: TOKEN, HOOK: SECRET },
    configYaml: `${FAST_SEVERITIES}\nwebhooks:\n  - url: ${hook.url}\n    secret_env: HOOK\n    events: [incident.declared]\n`,
    start: { worker: { maxAttempts: 2 } },
  });
  await h.db.$executeRawUnsafe(`ALTER TABLE incidents ADD CONSTRAINT test_refuses_doomed CHECK (title NOT LIKE 'Doomed%')`);
});
afterAll(async () => {
  await h?.stop();
  await hook?.stop();
});

type Sample = { value?: string; labels?: Record<string, string>; count?: string; sum?: string; buckets?: Record<string, string> };
type Family = { name: string; help: string; type: string; metrics: Sample[] };

async function scrape(): Promise<{ text: string; families: Map<string, Family> }> {
  const res = await fetch(`${h.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toContain("text/plain");
  const text = await res.text();
  const parsed = parsePrometheusTextFormat(text) as Family[];
  // the parser folds a histogram's labelled series into one; read its _count series as plain samples
  const series = parsePrometheusTextFormat(text.replace(/^# TYPE (\S+) histogram$/gm, "")) as Family[];
  const families = new Map(parsed.map((f) => [f.name, f]));
  for (const f of series) {
    if (!f.name.endsWith("_count") || families.get(f.name.slice(0, -6))?.type !== "HISTOGRAM") continue;
    // each label set's series come as a family of their own
    const seen = families.get(f.name);
    families.set(f.name, seen ? { ...seen, metrics: [...seen.metrics, ...f.metrics] } : f);
  }
  return { text, families };
}

/** The value of `name` with exactly these labels (0 when absent); a histogram's observations. */
function value(families: Map<string, Family>, name: string, labels: Record<string, string> = {}): number {
  const f = families.get(families.get(name)?.type === "HISTOGRAM" ? `${name}_count` : name);
  const s = f?.metrics.find((m) => JSON.stringify(m.labels ?? {}) === JSON.stringify(labels));
  return s ? Number(s.value) : 0;
}

describe("GET /metrics", () => {
  it("asks for the bearer token when METRICS_TOKEN is set", async () => {
    expect((await fetch(`${h.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${h.url}/metrics`, { headers: { authorization: "Bearer wrong-token-0123456789" } })).status).toBe(401);
    expect((await fetch(`${h.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN.toUpperCase()}` } })).status).toBe(401);
    const post = await fetch(`${h.url}/metrics`, { method: "POST", headers: { authorization: `Bearer ${TOKEN}` } });
    expect(post.status).toBe(405);
    expect((await fetch(`${h.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
  });

  it("names every metric the contract lists, and the process' defaults", async () => {
    const { families } = await scrape();
    for (const name of [
      "warroom_incidents_open",
      "warroom_incidents_declared_total",
      "warroom_reminders_sent_total",
      "warroom_reminder_lateness_seconds",
      "warroom_slack_requests_total",
      "warroom_slack_request_duration_seconds",
      "warroom_slack_rate_limited_total",
      "warroom_jobs_pending",
      "warroom_jobs_oldest_due_seconds",
      "warroom_jobs_failed_total",
      "warroom_ack_duration_seconds",
      "warroom_webhook_deliveries_total",
      "process_resident_memory_bytes",
      "nodejs_eventloop_lag_seconds",
    ]) {
      expect(families.has(name), name).toBe(true);
    }
    expect(families.get("warroom_reminder_lateness_seconds")?.type).toBe("HISTOGRAM");
    expect(families.get("warroom_jobs_pending")?.type).toBe("GAUGE");
  });

  it("moves each counter when its thing happens, and says no title, name or id", async () => {
    const before = (await scrape()).families;
    hook.next({ kind: "status", status: 500 });
    h.fake.fail("pins.add", { status: 429, retryAfter: 1 });
    const { incident } = await declareFast(h, "sev2 Secret project Nightingale", h.users.alice);
    await says(incident, "A status update is due", 10_000);
    await until(() => hook.delivered().length > 0, 10_000, "the webhook after its retry");
    await until(() => h.fake.calls.some((c) => c.method === "pins.add" && c.status === 200), 10_000, "the pin after the 429");
    // a declaration that cannot be recorded: its job fails for good
    await h.slack.command("declare sev2 Doomed search", { user: h.users.bob.id, channel: h.general.id });
    await until(() => h.db.job.count({ where: { kind: "request.declare", status: "dead" } }), 15_000, "the dead job");
    // counted as the worker reports it, a moment after it is recorded dead
    await until(async () => value((await scrape()).families, "warroom_jobs_failed_total") > value(before, "warroom_jobs_failed_total"), 5000, "the failure counted");

    const { text, families: after } = await scrape();
    const moved = (name: string, labels: Record<string, string> = {}) => value(after, name, labels) - value(before, name, labels);
    expect(moved("warroom_incidents_declared_total", { severity: "SEV2" })).toBe(1);
    expect(value(after, "warroom_incidents_open", { severity: "SEV2" })).toBe(1);
    expect(moved("warroom_reminders_sent_total", { kind: "update_due" })).toBeGreaterThanOrEqual(1);
    expect(moved("warroom_reminder_lateness_seconds")).toBeGreaterThanOrEqual(1);
    expect(moved("warroom_slack_requests_total", { method: "conversations.create", outcome: "ok" })).toBe(1);
    expect(moved("warroom_slack_requests_total", { method: "pins.add", outcome: "ratelimited" })).toBe(1);
    expect(moved("warroom_slack_rate_limited_total", { method: "pins.add" })).toBe(1);
    expect(moved("warroom_slack_request_duration_seconds", { method: "chat.postMessage" })).toBeGreaterThanOrEqual(2);
    expect(moved("warroom_ack_duration_seconds", { surface: "slack" })).toBeGreaterThanOrEqual(2);
    expect(moved("warroom_webhook_deliveries_total", { outcome: "retry" })).toBe(1);
    expect(moved("warroom_webhook_deliveries_total", { outcome: "delivered" })).toBe(1);
    expect(moved("warroom_jobs_failed_total")).toBe(1);
    expect(value(after, "warroom_jobs_pending")).toBeGreaterThanOrEqual(1);
    expect(after.get("warroom_jobs_oldest_due_seconds")?.metrics).toHaveLength(1);
    expect(value(after, "warroom_jobs_oldest_due_seconds")).toBeGreaterThanOrEqual(0);
    // numbers only
    for (const secret of ["Nightingale", "Doomed", incident.id, incident.channel.id, h.users.alice.id, h.users.bob.id, `INC-${incident.number}`]) expect(text).not.toContain(secret);
  });

  it("counts open incidents by severity, and forgets them once resolved", async () => {
    const { incident } = await declareFast(h, "sev3 Search slow", h.users.carol);
    expect(value((await scrape()).families, "warroom_incidents_open", { severity: "SEV3" })).toBe(1);
    await h.slack.command("resolve Fixed", { user: h.users.carol.id, channel: incident.channel.id });
    expect(value((await scrape()).families, "warroom_incidents_open", { severity: "SEV3" })).toBe(0);
  });
});

describe("GET /metrics without METRICS_TOKEN", () => {
  it("is open", async () => {
    const open = await startHarness({ fake: h.fake });
    try {
      const res = await fetch(`${open.url}/metrics`);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain("warroom_jobs_pending");
    } finally {
      await open.stop();
    }
  });
});
