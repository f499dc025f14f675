// Runs `npm run playground` as a user would (the compiled entry, its own process, its own DATA_DIR)
// and opens its page in Debian's Chromium through playwright-core, with the flags that keep the browser
// from talking to anything but the page.

import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { type Browser, chromium, type Page } from "playwright-core";
import { ROOT } from "./bot-process.ts";
import { freePort } from "./postgres-cluster.ts";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export function chromiumAvailable(): boolean {
  return fs.existsSync(CHROMIUM);
}

export interface PlaygroundProcess {
  proc: ChildProcess;
  url: string;
  dataDir: string;
  stdout: string[];
  stderr: string[];
  exited: Promise<number | string>;
  /** Milliseconds from spawn until the page answered. */
  readyMs: number;
  stop(): Promise<number | string>;
}

export async function startPlayground(dataDir: string, opts: { fast?: boolean; env?: Record<string, string>; ownGroup?: boolean } = {}): Promise<PlaygroundProcess> {
  const port = await freePort();
  const started = performance.now();
  const proc = spawn(process.execPath, [path.join(ROOT, "dist/playground/main.js"), ...(opts.fast ? ["--fast"] : [])], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", PLAYGROUND_PORT: String(port), DATA_DIR: dataDir, LOG_LEVEL: "info", ...opts.env },
    stdio: ["ignore", "pipe", "pipe"],
    // in a process group of its own, it can be sent a terminal's Ctrl+C (the whole group) without the test's
    ...(opts.ownGroup ? { detached: true } : {}),
  });
  const stdout: string[] = [];
  const stderr: string[] = [];
  proc.stdout?.on("data", (d: Buffer) => stdout.push(...d.toString("utf8").split("\n").filter(Boolean)));
  proc.stderr?.on("data", (d: Buffer) => stderr.push(...d.toString("utf8").split("\n").filter(Boolean)));
  const exited = new Promise<number | string>((resolve) => proc.on("exit", (code, signal) => resolve(code ?? signal ?? "unknown")));
  let gone = false;
  void exited.then(() => (gone = true));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (gone) throw new Error(`the playground exited: ${stderr.join(" | ")} ${stdout.join(" | ")}`);
    if (Date.now() > deadline) throw new Error(`the playground did not start: ${stdout.join(" | ")} ${stderr.join(" | ")}`);
    if (await fetch(`${url}/`).then((r) => r.ok, () => false)) break;
    await sleep(25);
  }
  const readyMs = performance.now() - started;
  return {
    proc,
    url,
    dataDir,
    stdout,
    stderr,
    exited,
    readyMs,
    async stop() {
      proc.kill("SIGINT");
      return exited;
    },
  };
}

/**
 * Chromium, headless, with background networking, updates and sync off. Without its sandbox: root needs
 * that, and so does a container without user namespaces; the browser only ever loads the local page.
 */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-default-apps",
      "--disable-sync",
      "--disable-domain-reliability",
      "--no-first-run",
      "--no-pings",
      "--metrics-recording-only",
    ],
  });
}

/** A page that fails the test on any request that leaves loopback, and on any script error. */
export async function openPage(browser: Browser, url: string): Promise<{ page: Page; outside: string[]; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 820 }, timezoneId: "Europe/Paris", locale: "en-GB" });
  const page = await context.newPage();
  const outside: string[] = [];
  const errors: string[] = [];
  await page.route("**/*", (route) => {
    const u = new URL(route.request().url());
    if (u.hostname === "127.0.0.1" || u.hostname === "localhost") return route.continue();
    outside.push(route.request().url());
    return route.abort();
  });
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(url);
  return { page, outside, errors };
}
