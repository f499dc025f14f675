// `npm run playground` as a process: it listens on loopback only (every listening socket of it and its
// children, the bot and the bot's PostgreSQL, read from /proc), it takes the user's config without what
// would reach outside and says so, and it refuses what it cannot do with one line.

import { spawn } from "node:child_process";
import fs from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { alive, postmasterPid, ROOT } from "../support/bot-process.ts";
import { type PlaygroundProcess, startPlayground } from "../support/playground.ts";

/** The process and all its descendants. */
async function family(pid: number): Promise<number[]> {
  const all = (await fs.readdir("/proc")).filter((d) => /^\d+$/.test(d)).map(Number);
  const parent = new Map<number, number>();
  for (const p of all) {
    const stat = await fs.readFile(`/proc/${p}/stat`, "utf8").catch(() => "");
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    if (ppid) parent.set(p, ppid);
  }
  const out = [pid];
  for (let grew = true; grew; ) {
    grew = false;
    for (const [p, pp] of parent) {
      if (out.includes(pp) && !out.includes(p)) {
        out.push(p);
        grew = true;
      }
    }
  }
  return out;
}

/** The local addresses of every TCP socket these processes listen on, from /proc/net/tcp{,6}. */
async function listening(pids: number[]): Promise<string[]> {
  const inodes = new Set<string>();
  for (const pid of pids) {
    for (const fd of await fs.readdir(`/proc/${pid}/fd`).catch(() => [] as string[])) {
      const target = await fs.readlink(`/proc/${pid}/fd/${fd}`).catch(() => "");
      const m = /^socket:\[(\d+)\]$/.exec(target);
      if (m) inodes.add(m[1] as string);
    }
  }
  const out: string[] = [];
  for (const file of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    const rows = (await fs.readFile(file, "utf8").catch(() => "")).split("\n").slice(1);
    for (const row of rows) {
      const f = row.trim().split(/\s+/);
      if (f[3] === "0A" && inodes.has(f[9] ?? "")) out.push(f[1] as string);
    }
  }
  return out;
}

function run(args: string[], env: Record<string, string>): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, "dist/playground/main.js"), ...args], { cwd: ROOT, env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    child.on("exit", (code) => resolve({ code: code ?? 1, out }));
  });
}

describe("npm run playground, the process", () => {
  let dir: string;
  let pg: PlaygroundProcess;
  let configFile: string;

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "warroom-playground-proc-"));
    configFile = path.join(dir, "incident.config.yml");
    await fs.writeFile(
      configFile,
      [
        "# our ladder",
        "announce_channel: ops-incidents",
        "templates_dir: ./templates",
        "webhooks:",
        "  - { url: https://hooks.example.com/warroom, secret_env: OUR_WEBHOOK_SECRET }",
        "statuspage: { page_id: abc123def456 }",
        "",
      ].join("\n"),
    );
    await fs.cp(path.join(ROOT, "templates"), path.join(dir, "templates"), { recursive: true });
    pg = await startPlayground(path.join(dir, "data"), { env: { INCIDENT_CONFIG: configFile } });
  });

  afterAll(async () => {
    await pg?.stop();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it("listens on 127.0.0.1 only: the page, the local Slack, the bot; its database on no TCP port at all", async () => {
    const pids = await family(pg.proc.pid as number);
    // the playground and the bot
    expect(pids.length).toBeGreaterThanOrEqual(2);
    const addresses = await listening(pids);
    // the page, the local Slack and the bot's HTTP endpoint
    expect(addresses.length).toBeGreaterThanOrEqual(3);
    // 0100007F is 127.0.0.1 in /proc's byte order; IPv6 loopback is ::1
    for (const a of addresses) expect(a, `a socket listening on ${a}`).toMatch(/^(0100007F|00000000000000000000000001000000):/);
    // pg_ctl starts PostgreSQL in its own session (not a child): found by its lock file, it listens on a Unix socket only
    const postmaster = await postmasterPid(pg.dataDir);
    expect(postmaster).toBeDefined();
    const pgPids = await family(postmaster as number);
    expect(pgPids.length).toBeGreaterThan(1);
    expect(await listening(pgPids)).toEqual([]);
  });

  it("gives the bot the user's config without webhooks and the status page, and says so", async () => {
    expect(pg.stdout.join("\n")).toContain("off in the playground: webhooks and statuspage from your config (they would reach outside)");
    const written = await fs.readFile(path.join(pg.dataDir, "playground.config.yml"), "utf8");
    expect(written).toContain("# our ladder");
    expect(written).toContain("announce_channel: ops-incidents");
    expect(written).not.toMatch(/^webhooks:|^statuspage:|hooks\.example\.com|abc123def456/m);
    expect(written).toContain(`templates_dir: ${path.join(dir, "templates")}`);
    // the channel the file names is there to be announced in
    const html = await (await fetch(`${pg.url}/`)).text();
    const token = /data-token="([^"]+)"/.exec(html)?.[1] ?? "";
    const ui = (await (await fetch(`${pg.url}/ui?t=${token}`)).json()) as { sidebar: string };
    expect(ui.sidebar).toContain("ops-incidents");
  });

  it("serves an example status page on loopback, linked from the page, when the config has none", async () => {
    const line = pg.stdout.find((l) => l.includes("status page: http://127.0.0.1:")) ?? "";
    expect(line).toContain("an example; add status_page: to your config for your own");
    const url = /status page: (http:\/\/127\.0\.0\.1:\d+\/status)/.exec(line)?.[1] as string;
    const written = await fs.readFile(path.join(pg.dataDir, "playground.config.yml"), "utf8");
    expect(written).toContain("title: Playground status");
    expect(written).toContain(`public_url: ${url.replace(/\/status$/, "")}`);
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("All Systems Operational");
    expect(await (await fetch(`${pg.url}/`)).text()).toContain(`<a class="status-link" href="${url}"`);
  });

  it("writes what a person does to the workspace file before it answers the page", async () => {
    const html = await (await fetch(`${pg.url}/`)).text();
    const token = /data-token="([^"]+)"/.exec(html)?.[1] ?? "";
    const ui = (await (await fetch(`${pg.url}/ui?t=${token}`)).json()) as { as: string; view: string };
    const res = await fetch(`${pg.url}/ui/do`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ op: "message", as: ui.as, channel: ui.view.slice(2), text: "written before the answer" }),
    });
    expect(res.status).toBe(200);
    // read at once: the debounced save of the app's changes waits 300 ms, this one did not
    expect(await fs.readFile(path.join(pg.dataDir, "workspace.json"), "utf8")).toContain("written before the answer");
  });

  it("stops with one line when the bot dies, its workspace saved", async () => {
    const pids = await family(pg.proc.pid as number);
    let bot: number | undefined;
    for (const p of pids) {
      const cmd = await fs.readFile(`/proc/${p}/cmdline`, "utf8").catch(() => "");
      if (cmd.includes(path.join("dist", "main.js"))) bot = p;
    }
    expect(bot).toBeDefined();
    await fs.rm(path.join(pg.dataDir, "workspace.json"));
    process.kill(bot as number, "SIGKILL");
    expect(await pg.exited).toBe(1);
    expect(pg.stderr.join("\n")).toMatch(/^playground: the bot stopped \(SIGKILL\)/);
    // its PostgreSQL, started by pg_ctl in its own session, outlives it: stop it here
    const postmaster = await postmasterPid(pg.dataDir);
    if (postmaster !== undefined) process.kill(postmaster, "SIGTERM");
    const saved = JSON.parse(await fs.readFile(path.join(pg.dataDir, "workspace.json"), "utf8")) as { version: number; conversations: { name: string }[] };
    expect(saved.version).toBe(1);
    expect(saved.conversations.map((c) => c.name)).toContain("ops-incidents");
  });

  it("stops in order on Ctrl+C (the terminal signals the whole group): the bot once, its PostgreSQL with it", { timeout: 120_000 }, async () => {
    const other = await startPlayground(path.join(dir, "ctrl-c"), { ownGroup: true });
    const postmaster = await postmasterPid(other.dataDir);
    expect(postmaster).toBeDefined();
    process.kill(-(other.proc.pid as number), "SIGINT");
    expect(await other.exited).toBe(0);
    const log = await fs.readFile(path.join(other.dataDir, "bot.log"), "utf8");
    expect(log).toContain('"msg":"stopping"');
    expect(log).not.toContain("second signal");
    await expect.poll(() => alive(postmaster as number), { timeout: 30_000 }).toBe(false);
  });

  it("refuses a port in use, a config that is not a mapping, and an unknown flag, each with one line", async () => {
    const busy = net.createServer();
    await new Promise<void>((resolve) => busy.listen(0, "127.0.0.1", resolve));
    const port = (busy.address() as net.AddressInfo).port;
    try {
      const taken = await run([], { PLAYGROUND_PORT: String(port), DATA_DIR: path.join(dir, "other") , INCIDENT_CONFIG: configFile });
      expect(taken.code).toBe(1);
      expect(taken.out).toContain(`playground: port ${port} is in use: stop what uses it, or set PLAYGROUND_PORT`);
    } finally {
      busy.close();
    }
    const list = path.join(dir, "list.yml");
    await fs.writeFile(list, "- a\n- b\n");
    const notMap = await run([], { INCIDENT_CONFIG: list, DATA_DIR: path.join(dir, "third") });
    expect(notMap.code).toBe(1);
    expect(notMap.out).toContain("expected a mapping of settings");
    const flag = await run(["--fats"], { DATA_DIR: path.join(dir, "fourth") });
    expect(flag.code).toBe(1);
    expect(flag.out).toMatch(/^playground: Unknown option '--fats'/);
    const help = await run(["--help"], { DATA_DIR: path.join(dir, "fifth") });
    expect(help.code).toBe(0);
    expect(help.out).toContain("--fast   every cadence and due time runs 60 times faster");
  });
  it("runs with a config file outside the project that names no templates_dir, as npm start does", async () => {
    // say /etc/warroom/incident.yml: no templates folder beside it, no templates_dir in it
    const elsewhere = await fs.mkdtemp(path.join(os.tmpdir(), "warroom-etc-"));
    const file = path.join(elsewhere, "incident.yml");
    await fs.writeFile(file, "announce_channel: ops\n");
    const other = await startPlayground(path.join(elsewhere, "data"), { env: { INCIDENT_CONFIG: file } });
    try {
      // the page is served once the bot answers /healthz: it started, and it is still running
      expect(other.stdout.join("\n")).toContain("Warroom playground: http://127.0.0.1:");
      expect(other.proc.exitCode).toBeNull();
      const written = await fs.readFile(path.join(other.dataDir, "playground.config.yml"), "utf8");
      // the built-in templates, as npm start uses them when there is no templates folder beside the file
      expect(written).toContain(`templates_dir: ${path.join(ROOT, "templates")}`);
    } finally {
      await other.stop();
      await fs.rm(elsewhere, { recursive: true, force: true });
    }
  });
});
