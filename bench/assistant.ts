// The assistant (issue 24): the time from `/incident catchup` to the ephemeral answer, beside the fake
// model's own answer time (from its having the request to its having written the answer), in an
// incident channel of 2,000 messages. What is left is the overhead Warroom adds: reading the channel
// (conversations.history, whose pages follow one another through their cursor: one fake-Slack latency
// each is the floor), looking people up, rendering the prompt, removing secrets, the request itself,
// and the reply through the response_url. Run twice: with the fake Slack's latency standing in for the
// network, and without it (Warroom's own work alone). The bot runs as `npm start` runs it.

import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { startFakeSlack } from "../src/local-slack/server.ts";
import { SlackRequests } from "../src/local-slack/deliver.ts";
import { startFakeOpenAI } from "../test/fake-openai/server.ts";
import { SIGNING_SECRET } from "../test/support/harness.ts";
import { until } from "../test/support/wait.ts";
import { spawnBenchBot } from "./bot.ts";
import { percentile } from "./stats.ts";

export const ASSISTANT_LOAD = { messages: 2_000, people: 20, catchups: 20, modelMs: 800 };

export interface AssistantFigures {
  latencyMs: number;
  totalMs: number[];
  modelMs: number[];
  overheadMs: number[];
  historyCalls: number;
  promptChars: number;
}

const p = (xs: number[], q: number) => percentile(xs, q);
export const summary = (xs: number[]) => ({ p50: p(xs, 50), p99: p(xs, 99) });

export async function measureAssistant(databaseUrl: string, latencyMs: number): Promise<AssistantFigures> {
  const fake = await startFakeSlack();
  fake.latencyMs = latencyMs;
  const ai = await startFakeOpenAI({ answerMs: ASSISTANT_LOAD.modelMs });
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "warroom-assistant-"));
  const configFile = path.join(dir, "incident.config.yml");
  await fs.writeFile(configFile, "{}\n");
  const people = Array.from({ length: ASSISTANT_LOAD.people }, (_, i) => fake.ws.addUser(`responder${i}`));
  const alice = people[0] as (typeof people)[number];
  const general = fake.ws.addChannel("general", { members: people.map((u) => u.id) });
  const bot = await spawnBenchBot(fake, databaseUrl, configFile, { SLACK_PACING: "off", AI_BASE_URL: ai.baseUrl, AI_MODEL: "llama3.1", ...(process.env.BENCH_ASSISTANT_LOG ? { LOG_LEVEL: "info" } : {}) });
  try {
    await bot.waitUntilUp(60_000);
    const slack = new SlackRequests(bot.url, SIGNING_SECRET, fake);
    await slack.command("declare sev2 Checkout errors in the EU", { user: alice.id, channel: general.id });
    const created = await until(() => fake.okCallsTo("conversations.create")[0], 60_000, "the incident channel", 50);
    const channel = (created.response.channel as { id: string }).id;
    await until(() => ((fake.ws.conversations.get(channel)?.messages.length ?? 0) > 0 ? true : undefined), 60_000, "the opening message", 50);
    for (const u of people) fake.ws.conversations.get(channel)?.members.add(u.id);
    for (let i = 0; i < ASSISTANT_LOAD.messages; i++) {
      const who = people[i % people.length] as (typeof people)[number];
      fake.ws.addMessage(channel, who.id, `Message ${i}: checked the ${i % 7 === 0 ? "payment gateway" : "checkout pods"}, error rate ${(i % 40) + 1}% and latency ${200 + (i % 300)} ms`);
    }
    const totalMs: number[] = [];
    const modelMs: number[] = [];
    let historyCalls = 0;
    let promptChars = 0;
    // one first, untimed: people looked up once are cached for an hour, as in a real channel
    for (let round = 0; round <= ASSISTANT_LOAD.catchups; round++) {
      const callsBefore = fake.okCallsTo("conversations.history").length;
      const asked = ai.requests.length;
      const started = Date.now();
      const res = await slack.command("catchup", { user: alice.id, channel });
      const answer = await until(() => fake.responsesTo(res.responseUrl).find((r) => String(r.body.text).includes("Catching you up on INC-") && r.body.replace_original === true), 60_000, "the catch-up", 5);
      const request = ai.requests[asked];
      if (!request?.answeredAt) throw new Error("the model was not asked");
      if (round === 0) continue;
      totalMs.push(answer.at - started);
      modelMs.push(request.answeredAt - request.at);
      historyCalls = fake.okCallsTo("conversations.history").length - callsBefore;
      promptChars = request.text.length;
    }
    if (process.env.BENCH_ASSISTANT_LOG) for (const l of bot.stdout.filter((x) => x.includes("asking the assistant"))) process.stderr.write(`${l}\n`);
    return { latencyMs, totalMs, modelMs, overheadMs: totalMs.map((t, i) => t - (modelMs[i] as number)), historyCalls, promptChars };
  } finally {
    bot.kill("SIGTERM");
    await bot.exited;
    await ai.stop();
    await fake.stop();
    await fs.rm(dir, { recursive: true, force: true });
  }
}
