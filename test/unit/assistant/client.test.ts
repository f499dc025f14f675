// The assistant's client against a real HTTP fake of the Chat Completions API: what it sends (the
// model, the messages, streaming off, the key only when there is one), and what becomes of every kind
// of answer: text made safe, usage counted, and each failure an outcome with a reason, never a throw.

import net from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { AssistantClient, type CompleteOptions } from "../../../src/assistant/client.ts";
import { createLogger } from "../../../src/log.ts";
import { Metrics } from "../../../src/metrics.ts";
import { type FakeOpenAI, startFakeOpenAI } from "../../fake-openai/server.ts";
import { LogCapture } from "../../support/harness.ts";

const KEY = "sk-test-0123456789abcdefghijklmnop";
let fake: FakeOpenAI;
let open: FakeOpenAI;

beforeAll(async () => {
  fake = await startFakeOpenAI({ apiKey: KEY });
  open = await startFakeOpenAI();
});
afterAll(async () => {
  await fake?.stop();
  await open?.stop();
});
afterEach(() => {
  fake.always(undefined);
  open.always(undefined);
});

const messages = [
  { role: "system" as const, content: "You are the incident assistant." },
  { role: "user" as const, content: "Incident INC-1: checkout errors" },
];
const opts: CompleteOptions = { budgetMs: 3000, flavour: "mrkdwn", maxChars: 2000 };

function client(baseUrl: string, apiKey?: string, model = "gpt-4o-mini") {
  const metrics = new Metrics();
  const capture = new LogCapture();
  const c = new AssistantClient({ baseUrl, model, ...(apiKey ? { apiKey } : {}) }, metrics.assistant(), createLogger("info", capture));
  return { c, metrics, logs: capture.lines };
}

async function metricText(m: Metrics): Promise<string> {
  return m.registry.metrics();
}

describe("a question that is answered", () => {
  it("sends the model, the messages, stream off and the Bearer key; gives back the text and counts the tokens", async () => {
    const { c, metrics } = client(fake.baseUrl, KEY);
    fake.script({ kind: "answer", text: "All is well." });
    const before = fake.requests.length;
    const a = await c.complete("catchup", messages, opts);
    expect(a).toMatchObject({ ok: true, text: "All is well." });
    const sent = fake.requests[before];
    expect(sent?.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(sent?.body).toMatchObject({ model: "gpt-4o-mini", stream: false, messages });
    const text = await metricText(metrics);
    expect(text).toContain('warroom_ai_requests_total{feature="catchup",outcome="ok"} 1');
    expect(text).toMatch(/warroom_ai_tokens_total\{kind="prompt"\} [1-9]/);
    expect(text).toMatch(/warroom_ai_tokens_total\{kind="completion"\} [1-9]/);
    expect(text).toContain('warroom_ai_request_duration_seconds_count{feature="catchup"} 1');
  });

  it("sends no Authorization header at all to a local model without a key", async () => {
    const { c } = client(open.baseUrl);
    const before = open.requests.length;
    const a = await c.complete("update", messages, opts);
    expect(a.ok).toBe(true);
    expect(open.requests[before]?.headers.authorization).toBeUndefined();
  });

  it("makes the text inert: no broadcast, no ping, links as text", async () => {
    const { c } = client(open.baseUrl);
    open.script({ kind: "answer", text: "<!channel> ask <@U123ABC> or @here, see <https://evil.example/x|the docs>" });
    const a = await c.complete("catchup", messages, opts);
    if (!a.ok) throw new Error(a.why);
    expect(a.text).not.toMatch(/<!|<@|@here|@channel/);
    expect(a.text).toContain("https://evil.example/x");
  });

  it("caps the text's length", async () => {
    const { c } = client(open.baseUrl);
    open.script({ kind: "answer", text: "word ".repeat(2000) });
    const a = await c.complete("catchup", messages, { ...opts, maxChars: 500 });
    if (!a.ok) throw new Error(a.why);
    expect(a.text.length).toBeLessThanOrEqual(500);
  });
});

describe("a model that takes max_completion_tokens (OpenAI's reasoning models)", () => {
  it("is asked again with it after refusing max_tokens, and then with it from the start", async () => {
    const reasoning = await startFakeOpenAI({ reasoningModel: true });
    try {
      const { c } = client(reasoning.baseUrl);
      const a = await c.complete("catchup", messages, { ...opts, maxTokens: 300 });
      expect(a.ok).toBe(true);
      expect(reasoning.requests.map((r) => Object.keys(r.body ?? {}).filter((k) => k.startsWith("max_")))).toEqual([["max_tokens"], ["max_completion_tokens"]]);
      expect((await c.complete("catchup", messages, { ...opts, maxTokens: 300 })).ok).toBe(true);
      expect(reasoning.requests[2]?.body?.max_completion_tokens).toBe(300);
    } finally {
      await reasoning.stop();
    }
  });
});

describe("a question that is not answered", () => {
  const cases: [string, Parameters<FakeOpenAI["script"]>[0], string, RegExp][] = [
    ["a 500", { kind: "status", status: 500 }, "http_error", /HTTP 500: The server had an error/],
    ["a 503", { kind: "status", status: 503, message: "The engine is currently overloaded" }, "http_error", /HTTP 503/],
    ["a body that is not JSON", { kind: "not_json" }, "malformed", /could not be read/],
    ["JSON that is not a completion", { kind: "not_completion" }, "malformed", /not a chat completion/],
    ["an empty message", { kind: "empty" }, "empty", /nothing/],
    ["only whitespace and controls", { kind: "answer", text: " \u0000\u200e \n" }, "empty", /nothing/],
    ["a 429 whose Retry-After does not fit the budget", { kind: "status", status: 429, type: "requests", code: "rate_limit_exceeded", message: "Rate limit reached", retryAfter: "60" }, "rate_limited", /rate-limiting.*60 s/],
  ];
  it.each(cases)("%s: one outcome, a reason, a reference, counted", async (_name, behaviour, outcome, why) => {
    const { c, metrics, logs } = client(open.baseUrl);
    open.script(behaviour);
    const a = await c.complete("catchup", messages, opts);
    expect(a.ok).toBe(false);
    if (a.ok) return;
    expect(a.outcome).toBe(outcome);
    expect(a.why).toMatch(why);
    expect(a.ref).toMatch(/^[0-9a-f]{8}$/);
    expect(logs.filter((l) => l.ref === a.ref)).toHaveLength(1);
    expect(await metricText(metrics)).toContain(`warroom_ai_requests_total{feature="catchup",outcome="${outcome}"} 1`);
  });

  it("a wrong key: the API's own words, and the key is in no log line", async () => {
    const { c, logs } = client(fake.baseUrl, "sk-wrong-key-0000000000000000");
    const a = await c.complete("catchup", messages, opts);
    expect(a).toMatchObject({ ok: false, outcome: "http_error" });
    if (!a.ok) expect(a.why).toMatch(/HTTP 401: Incorrect API key provided/);
    expect(JSON.stringify(logs)).not.toContain("sk-wrong-key-0000000000000000");
  });

  it("an unknown model: 404 model_not_found, said", async () => {
    const { c } = client(open.baseUrl, undefined, "no-such-model");
    const a = await c.complete("catchup", messages, opts);
    expect(a).toMatchObject({ ok: false, outcome: "http_error" });
    if (!a.ok) expect(a.why).toMatch(/HTTP 404: The model `no-such-model` does not exist/);
  });

  it("a hang: a timeout within the budget", async () => {
    const { c } = client(open.baseUrl);
    open.script({ kind: "hang" });
    const started = Date.now();
    const a = await c.complete("catchup", messages, { ...opts, budgetMs: 1200 });
    expect(a).toMatchObject({ ok: false, outcome: "timeout" });
    expect(Date.now() - started).toBeLessThan(1200 + 1000);
  });

  it("a connection cut mid-request, and a port nobody listens on: unreachable", async () => {
    const { c } = client(open.baseUrl);
    open.script({ kind: "cut" });
    expect(await c.complete("catchup", messages, opts)).toMatchObject({ ok: false, outcome: "unreachable" });
    const port = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, "127.0.0.1", () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    const { c: nowhere } = client(`http://127.0.0.1:${port}/v1`);
    const a = await nowhere.complete("catchup", messages, opts);
    expect(a).toMatchObject({ ok: false, outcome: "unreachable" });
    if (!a.ok) expect(a.why).toContain(`127.0.0.1:${port}`);
  });

  it("a 429 whose Retry-After fits the budget: tried once more, and answered", async () => {
    const { c, metrics } = client(open.baseUrl);
    open.script({ kind: "status", status: 429, type: "requests", code: "rate_limit_exceeded", retryAfter: "1" }, { kind: "answer", text: "After the wait." });
    const before = open.requests.length;
    const a = await c.complete("catchup", messages, opts);
    expect(a).toMatchObject({ ok: true, text: "After the wait." });
    expect(open.requests.length - before).toBe(2);
    expect(await metricText(metrics)).toContain('warroom_ai_requests_total{feature="catchup",outcome="ok"} 1');
  });

  it("an answer the caller rejects: malformed, with the caller's reason", async () => {
    const { c } = client(open.baseUrl);
    open.script({ kind: "answer", text: "Just a sentence." });
    const a = await c.complete("postmortem", messages, { ...opts, flavour: "markdown", reject: () => "its answer had no Summary and Narrative sections" });
    expect(a).toMatchObject({ ok: false, outcome: "malformed", why: "its answer had no Summary and Narrative sections" });
  });
});
