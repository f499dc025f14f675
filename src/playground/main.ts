// `npm run playground`: Warroom without a Slack workspace. Starts the local Slack (src/local-slack:
// the Web API on loopback, as the tests use it, with Slack's rate limits), the bot exactly as
// `npm start` runs it (its own process, HTTP endpoint, signed requests, embedded database in DATA_DIR,
// default ./data-playground), and the page at http://127.0.0.1:3100 (PLAYGROUND_PORT). Everything
// listens on 127.0.0.1. The workspace (people, channels, messages, canvases) is saved in DATA_DIR
// beside the bot's database, so a restart finds both as they were.

import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { isMap, parseDocument } from "yaml";
import { SlackRequests } from "../local-slack/deliver.ts";
import { FakeSlack } from "../local-slack/server.ts";
import { Workspace } from "../local-slack/workspace.ts";
import { freePort, START_ENV, START_FLAGS } from "./bot.ts";
import { Session } from "./session.ts";
import { startWeb } from "./web.ts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

const USAGE = `Usage: npm run playground [-- --fast]

Runs Warroom against a local stand-in for Slack, with a page at http://127.0.0.1:3100.
  --fast   every cadence and due time runs 60 times faster (a 30-minute reminder after 30 seconds)

Environment: PLAYGROUND_PORT (default 3100), DATA_DIR (default ./data-playground),
INCIDENT_CONFIG (default ./incident.config.yml, as for npm start), LOG_LEVEL.`;

function die(message: string): never {
  process.stderr.write(`playground: ${message}\n`);
  process.exit(1);
}

/** The people and #general a new playground starts with (the config's channels are added after). */
function seed(ws: Workspace): void {
  const people = [
    ws.addUser("alice", { realName: "Alice Adams" }),
    ws.addUser("bob", { realName: "Bob Brown" }),
    ws.addUser("carol", { realName: "Carol Chen" }),
    ws.addUser("dan", { realName: "Dan Diaz" }),
  ];
  const everyone = people.map((p) => p.id);
  const general = ws.addChannel("general", { members: everyone, creator: everyone[0] as string });
  general.topic = "Company-wide announcements";
  ws.addMessage(general.id, everyone[0] as string, "Welcome to the Warroom playground. Type `/incident help`, or `/incident declare` to open the form.");
  ws.addUserGroup("oncall", [everyone[0] as string, everyone[1] as string]);
}

/**
 * The config the bot gets: the user's file (INCIDENT_CONFIG or ./incident.config.yml), without webhooks
 * and the status page (they would reach outside), written into DATA_DIR. Returns it and the channel
 * names it mentions (made in a new workspace).
 */
function playgroundConfig(dataDir: string, botUrl: string): { file: string; channels: string[]; dropped: string[]; statusPage: "yours" | "example" } {
  const source = path.resolve(process.env.INCIDENT_CONFIG ?? "./incident.config.yml");
  const file = path.join(dataDir, "playground.config.yml");
  const channels = new Set<string>();
  const dropped: string[] = [];
  // the user's file as a YAML document (comments and order kept, so the bot's messages about it read the same)
  let doc = parseDocument("{}");
  if (fs.existsSync(source)) {
    doc = parseDocument(fs.readFileSync(source, "utf8"));
    if (doc.errors.length > 0) die(`${source}: ${doc.errors[0]?.message ?? "not YAML"}`);
    if (doc.contents === null) doc = parseDocument("{}");
    if (!isMap(doc.contents)) die(`${source}: expected a mapping of settings such as "announce_channel: incidents" (see incident.config.example.yml)`);
    for (const key of ["webhooks", "statuspage"]) {
      const v: unknown = doc.toJS()?.[key];
      if (v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0)) dropped.push(key);
      doc.delete(key);
    }
    // as npm start reads the file: its templates_dir beside it; none given, the templates folder beside
    // it when there is one, and the built-in templates when there is not
    const templates: unknown = doc.get("templates_dir");
    const beside = path.resolve(path.dirname(source), "templates");
    if (typeof templates === "string") doc.set("templates_dir", path.resolve(path.dirname(source), templates));
    else doc.set("templates_dir", fs.existsSync(beside) && fs.statSync(beside).isDirectory() ? beside : path.join(ROOT, "templates"));
  } else if (process.env.INCIDENT_CONFIG) {
    die(`INCIDENT_CONFIG names ${source}, which does not exist`);
  } else {
    doc.set("templates_dir", path.join(ROOT, "templates"));
  }
  const data = (doc.toJS() as Record<string, unknown> | null) ?? {};
  if (data.announce_channel === undefined) doc.set("announce_channel", "incidents");
  // the status page the bot serves itself stays on loopback: the config's own, or an example one, so
  // a newcomer sees the whole loop; its links point at the bot here, not at the real public address
  const statusPage = data.status_page !== undefined && data.status_page !== null ? "yours" : "example";
  if (statusPage === "example") {
    doc.set("status_page", doc.createNode({ title: "Playground status", components: [{ id: "api", name: "API" }, { id: "web", name: "Website" }, { id: "eu-checkout", name: "Checkout", group: "Europe" }] }));
  }
  doc.setIn(["status_page", "public_url"], botUrl);

  const alerts = data.alerts as { triage_channel?: unknown } | undefined;
  const digest = data.digest as { channel?: unknown } | undefined;
  for (const ref of [data.announce_channel ?? "incidents", alerts?.triage_channel, digest?.channel]) {
    if (typeof ref === "string" && /^#?[a-z0-9_-]+$/.test(ref) && !/^[CG][A-Z0-9]{6,}$/.test(ref)) channels.add(ref.replace(/^#/, ""));
  }
  const header = fs.existsSync(source) ? `# Written by npm run playground from ${source}, without webhooks and Atlassian Statuspage (the status page the bot serves stays, linked to it here); edit that file, not this one.\n` : "# Written by npm run playground (there is no incident.config.yml): the defaults, announcing in #incidents, with an example status page.\n";
  fs.writeFileSync(file, header + doc.toString());
  return { file, channels: [...channels], dropped, statusPage };
}

function portNumber(): number {
  const raw = process.env.PLAYGROUND_PORT?.trim() || "3100";
  if (!/^\d+$/.test(raw) || Number(raw) > 65535) die(`PLAYGROUND_PORT must be a TCP port number from 0 to 65535 (got "${raw}")`);
  return Number(raw);
}

async function main(): Promise<void> {
  let args;
  try {
    args = parseArgs({ options: { fast: { type: "boolean", default: false }, help: { type: "boolean", short: "h", default: false } }, strict: true });
  } catch (err) {
    die(`${(err as Error).message}\n${USAGE}`);
  }
  if (args.values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const fast = args.values.fast;
  const port = portNumber();
  // a port already taken is said at once, not after the bot has started
  if (port !== 0) {
    const free = await new Promise<boolean>((resolve) => {
      const probe = net.createServer();
      probe.once("error", () => resolve(false));
      probe.listen(port, "127.0.0.1", () => probe.close(() => resolve(true)));
    });
    if (!free) die(`port ${port} is in use: stop what uses it, or set PLAYGROUND_PORT`);
  }
  const dataDir = path.resolve(process.env.DATA_DIR?.trim() || "./data-playground");
  fs.mkdirSync(dataDir, { recursive: true });
  // the bot's port first: the config written for it links the status page to it
  const botPort = await freePort();
  const botUrl = `http://127.0.0.1:${botPort}`;
  const config = playgroundConfig(dataDir, botUrl);
  process.stdout.write(`Starting the Warroom playground (the first start makes its database in ${dataDir}: a few seconds)…\n`);

  const statePath = path.join(dataDir, "workspace.json");
  const ws = new Workspace({ teamName: "Warroom Playground", teamDomain: "warroom-playground" });
  let saved;
  try {
    saved = Session.load(statePath);
  } catch (err) {
    die(`${statePath} could not be read (${(err as Error).message}); move it away to start a new workspace`);
  }
  if (saved) ws.restore(saved);
  else seed(ws);
  // the channels the config names, made by a person (the app makes only incident channels), everyone in them
  const everyone = [...ws.users.values()].filter((u) => !u.isBot).map((u) => u.id);
  for (const name of config.channels) if (!ws.channelByName(name)) ws.addChannel(name, { members: everyone, creator: everyone[0] ?? ws.botUserId });

  const fake = new FakeSlack(ws);
  fake.record = false;
  fake.botToken = `xoxb-playground-${randomBytes(12).toString("hex")}`;
  fake.enforceRateLimits();
  await fake.start();

  const signingSecret = randomBytes(24).toString("hex");
  const env: Record<string, string> = {};
  // the bot's own settings come from the playground; the rest of the environment passes through
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !/^(SLACK_|DATABASE_URL$|PORT$|HOST$|DATA_DIR$|INCIDENT_CONFIG$|WARROOM_TIME_SCALE$|STATUSPAGE_API_KEY$|NODE_OPTIONS$)/.test(k)) env[k] = v;
  }
  // the insights page signs in with the API token: the environment's, or one made for this run
  // (one made here is written to a file only its owner reads, never printed)
  const apiToken = process.env.WARROOM_API_TOKEN?.trim() || `playground-${randomBytes(16).toString("hex")}`;
  const tokenFile = path.join(dataDir, "insights-token");
  if (!process.env.WARROOM_API_TOKEN?.trim()) {
    fs.writeFileSync(tokenFile, `${apiToken}\n`, { mode: 0o600 });
    fs.chmodSync(tokenFile, 0o600);
  }
  Object.assign(env, START_ENV, {
    WARROOM_API_TOKEN: apiToken,
    SLACK_BOT_TOKEN: fake.botToken,
    SLACK_SIGNING_SECRET: signingSecret,
    SLACK_API_URL: fake.apiUrl,
    SLACK_PACING: "on",
    PORT: String(botPort),
    HOST: "127.0.0.1",
    DATA_DIR: dataDir,
    INCIDENT_CONFIG: config.file,
    ...(fast ? { WARROOM_TIME_SCALE: "60" } : {}),
  });
  const logPath = path.join(dataDir, "bot.log");
  const log = fs.createWriteStream(logPath, { flags: "a" });
  // its own process group: Ctrl+C in a terminal signals the playground's group, and the playground then
  // stops the bot with one SIGTERM (a second signal would make the bot exit at once, skipping its ordered stop)
  const bot: ChildProcess = spawn(process.execPath, [...START_FLAGS, path.join(ROOT, "dist/main.js")], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  let botGone = false;
  bot.on("exit", () => (botGone = true));
  // however the playground ends, the bot does not outlive it
  process.on("exit", () => {
    if (!botGone) bot.kill("SIGTERM");
  });
  const stderr: string[] = [];
  bot.stdout?.pipe(log, { end: false });
  bot.stderr?.on("data", (d: Buffer) => {
    log.write(d);
    stderr.push(d.toString("utf8"));
  });
  let stopping = false;
  let session: Session | undefined;
  const exited = new Promise<number | string>((resolve) => bot.on("exit", (code, signal) => resolve(code ?? signal ?? "unknown")));
  void exited.then((code) => {
    if (stopping) return undefined;
    // the workspace as it was when the bot stopped, so a new start finds the two consistent
    session?.save(true);
    return die(`the bot stopped (${typeof code === "number" ? `exit ${code}` : code}): ${stderr.join("").trim().split("\n").slice(-3).join(" | ") || `see ${logPath}`}`);
  });

  const deadline = Date.now() + 120_000;
  while (!(await fetch(`${botUrl}/healthz`).then((r) => r.ok, () => false))) {
    if (Date.now() > deadline) die(`the bot did not start within 2 minutes; see ${logPath}`);
    await sleep(50);
  }

  const requests = new SlackRequests(botUrl, signingSecret, fake);
  // Slack waits 3 seconds for the app's answer
  requests.timeoutMs = 3000;
  session = new Session(fake, requests, statePath);
  let web;
  try {
    const ai = process.env.AI_BASE_URL?.trim();
    web = await startWeb(session, { port, fast, statusPage: `${botUrl}/status`, insights: `${botUrl}/insights`, ...(ai ? { assistant: assistantHost(ai) } : {}) });
  } catch (err) {
    stopping = true;
    bot.kill("SIGTERM");
    await exited;
    const code = (err as NodeJS.ErrnoException).code;
    die(code === "EADDRINUSE" ? `port ${port} is in use: stop what uses it, or set PLAYGROUND_PORT` : (err as Error).message);
  }
  // the workspace as it starts (a new one seeded, or the saved one with the config's channels added)
  session.save(true);

  const lines = [
    `Warroom playground: ${web.url}`,
    process.env.AI_BASE_URL?.trim()
      ? `  loopback only (127.0.0.1): no Slack workspace, no token; only the assistant's questions leave, to ${assistantHost(process.env.AI_BASE_URL.trim())} (AI_BASE_URL, model ${process.env.AI_MODEL?.trim() || "unset"})`
      : `  loopback only (127.0.0.1): no Slack workspace, no token, nothing leaves this machine (set AI_BASE_URL and AI_MODEL to try the assistant)`,
    `  status page: ${botUrl}/status (${config.statusPage === "yours" ? "status_page: from your config" : "an example; add status_page: to your config for your own"}; /incident statuspage publishes to it)`,
    `  insights: ${botUrl}/insights (sign in with ${process.env.WARROOM_API_TOKEN?.trim() ? "WARROOM_API_TOKEN" : `the token in ${tokenFile}`})`,
    `  data: ${dataDir} (the bot's database, the workspace, bot.log)${fast ? "\n  --fast: cadences and due times run 60 times faster" : ""}`,
    ...(config.dropped.length > 0 ? [`  off in the playground: ${config.dropped.join(" and ")} from your config (they would reach outside)`] : []),
    `  Ctrl+C stops it`,
  ];
  process.stdout.write(`${lines.join("\n")}\n`);

  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await web.close();
    bot.kill("SIGTERM");
    await Promise.race([exited, sleep(30_000)]);
    session.save();
    await fake.stop();
    log.end();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop());
  process.on("SIGTERM", () => void stop());
}

await main();

/** Where the assistant's questions go, without anything a URL might carry beyond its host and path. */
function assistantHost(raw: string): string {
  try {
    const u = new URL(raw);
    return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, "")}`;
  } catch {
    return "AI_BASE_URL";
  }
}
