// temporary profiling driver (not committed)
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { startFakeSlack } from "../src/local-slack/server.ts";
import { spawnBot } from "../test/support/bot-process.ts";
import { SIGNING_SECRET } from "../test/support/harness.ts";
import { SlackRequests } from "../src/local-slack/deliver.ts";

const parent = await fs.mkdtemp(path.join(os.tmpdir(), "prof-"));
const fake = await startFakeSlack();
fake.latencyMs = 50;
const configFile = path.join(parent, "incident.config.yml");
await fs.writeFile(configFile, "announce_channel: incidents\n");
fake.ws.addChannel("incidents", {});
const users = Array.from({ length: 50 }, (_, i) => fake.ws.addUser(`person${i}`));
const general = fake.ws.addChannel("general", { members: users.map((u) => u.id) }).id;
const bot = await spawnBot({ SLACK_BOT_TOKEN: fake.botToken, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: fake.apiUrl, DATA_DIR: path.join(parent, "data"), INCIDENT_CONFIG: configFile, LOG_LEVEL: "warn", SLACK_PACING: "off" });
await bot.waitUntilUp(60_000);
const req = new SlackRequests(bot.url, SIGNING_SECRET, fake);
const pid = bot.proc.pid as number;
const cpu = async () => { const s = (await fs.readFile(`/proc/${pid}/stat`, "utf8")).split(") ")[1]!.split(" "); return (Number(s[11]) + Number(s[12])) * 10; };
const quiet = async () => { for (;;) { const last = fake.calls.at(-1)?.at ?? 0; if (Date.now() - last >= 1500) return; await new Promise((r) => setTimeout(r, 100)); } };
const N = Number(process.env.N ?? 100);
for (let i = 0; i < 10; i++) await req.command(`declare sev2 Warm ${i}`, { user: users[i % 50]!.id, channel: general });
await quiet();
if (process.env.COUNT) process.kill(pid, "SIGUSR2"); await new Promise((r) => setTimeout(r, 200));
const c0 = await cpu(); const calls0 = fake.calls.length;
const acks: number[] = [];
for (let i = 0; i < N; i++) { const r = await req.command(`declare sev2 Prof incident ${i}`, { user: users[i % 50]!.id, channel: general }); acks.push(r.ms); }
await quiet();
const c1 = await cpu(); if (process.env.COUNT) process.kill(pid, "SIGUSR2"); await new Promise((r) => setTimeout(r, 200));
acks.sort((a, b) => a - b);
console.log(`cpu per declaration ${((c1 - c0 - 1500 / 100) / N).toFixed(1)} ms; slack calls per declaration ${((fake.calls.length - calls0) / N).toFixed(1)}; ack p50 ${acks[N >> 1]!.toFixed(1)} p99 ${acks[Math.floor(N * 0.99)]!.toFixed(1)}`);
bot.kill("SIGTERM"); await bot.exited; await fake.stop();
