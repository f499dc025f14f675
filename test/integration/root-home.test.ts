// As root, in a directory only root may enter (a clone in /root, mode 700): the embedded PostgreSQL
// runs as the `postgres` user, which cannot reach the project's binaries nor DATA_DIR there. The bot
// copies the binaries, and keeps the cluster, where that user can reach them (WARROOM_ROOT_STATE_DIR,
// by default /var/lib/warroom), links the cluster from DATA_DIR, and works; again after a restart.
// The clone is made of links to this one, followed as written (--preserve-symlinks), so every path the
// bot sees lies inside the mode-700 directory.

import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, START_FLAGS, spawnBot, type BotProcess } from "../support/bot-process.ts";
import { type ProcessBed, startProcessBed } from "../support/process-bed.ts";
import { until } from "../support/wait.ts";

const asRoot = typeof process.getuid === "function" && process.getuid() === 0;

let bed: ProcessBed;
let home: string;
let state: string;
const bots: BotProcess[] = [];

beforeAll(async () => {
  if (!asRoot) return;
  bed = await startProcessBed({ name: "root-home", configYaml: "announce_channel: incidents\n", people: ["alice"] });
  home = await fs.mkdtemp(path.join(os.tmpdir(), "warroom-root-home-"));
  await fs.chmod(home, 0o700);
  state = await fs.mkdtemp(path.join(os.tmpdir(), "warroom-root-state-"));
  await fs.chmod(state, 0o755);
  const clone = path.join(home, "warroom");
  await fs.mkdir(clone);
  for (const entry of ["dist", "node_modules", "package.json", "prisma", "templates"]) await fs.symlink(path.join(ROOT, entry), path.join(clone, entry));
}, 60_000);

afterAll(async () => {
  for (const b of bots) if (b.proc.exitCode === null && b.proc.signalCode === null) b.kill("SIGKILL");
  await Promise.all(bots.map((b) => b.exited));
  await bed?.stop();
  if (home) await fs.rm(home, { recursive: true, force: true });
  if (state) await fs.rm(state, { recursive: true, force: true });
});

async function start(): Promise<BotProcess> {
  const clone = path.join(home, "warroom");
  const bot = await spawnBot(bed.env({ DATA_DIR: path.join(clone, "data"), WARROOM_ROOT_STATE_DIR: state, LOG_LEVEL: "info" }), {
    node: [...START_FLAGS, "--preserve-symlinks", "--preserve-symlinks-main", path.join(clone, "dist", "main.js")],
    cwd: clone,
  });
  bots.push(bot);
  await bot.waitUntilUp(90_000);
  return bot;
}

describe.skipIf(!asRoot)("as root, in a directory only root may enter (mode 700)", () => {
  it("runs the embedded PostgreSQL from where the postgres user can reach it, and works, again after a restart", async () => {
    expect((await fs.stat(home)).mode & 0o777).toBe(0o700);
    const first = await start();
    const log = first.stdout.join("\n");
    expect(log).toContain("copying them where it can");
    expect(log).toContain("the cluster lives where it can");
    const link = await fs.readlink(path.join(home, "warroom", "data", "postgres"));
    expect(link.startsWith(path.join(state, "clusters"))).toBe(true);
    const copies = (await fs.readdir(state)).filter((e) => e.startsWith("embedded-postgres-"));
    expect(copies).toHaveLength(1);

    const alice = bed.users.alice as NonNullable<(typeof bed.users)["alice"]>;
    const declare = async (bot: BotProcess, title: string) => {
      expect((await bed.requests(bot.url).command(`declare sev3 ${title}`, { user: alice.id, channel: bed.general.id })).status).toBe(200);
      await until(() => [...bed.fake.ws.conversations.values()].find((c) => c.name.includes(title.toLowerCase().replaceAll(" ", "-")) && c.messages.length > 0), 30_000, `the channel of ${title}`);
    };
    await declare(first, "Root home one");
    first.kill("SIGTERM");
    expect(await first.exited).toBe(0);

    // the second start finds the copy and the link; nothing is copied or moved again
    const second = await start();
    expect(second.stdout.join("\n")).not.toContain("copying them where it can");
    expect(second.stdout.join("\n")).not.toContain("the cluster lives where it can");
    await declare(second, "Root home two");
    second.kill("SIGTERM");
    expect(await second.exited).toBe(0);
  }, 240_000);
});
