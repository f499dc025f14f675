// The playground in Firefox too (Debian's firefox-esr, headless, driven over WebDriver BiDi by
// puppeteer-core; Playwright would need its own patched Firefox): the page loads with nothing fetched
// from outside, a command answers, the declare form opens, refuses an empty required field and declares,
// the channel appears, and a role button works.

import fs from "node:fs";
import fsp from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { type Browser, launch, type Page } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PlaygroundProcess, startPlayground } from "../support/playground.ts";

const FIREFOX = process.env.FIREFOX_PATH ?? "/usr/bin/firefox-esr";

/** Firefox's own calls home, off: updates, telemetry, safe browsing, captive-portal and connectivity checks. */
const QUIET = {
  "app.update.enabled": false,
  "app.normandy.enabled": false,
  "browser.safebrowsing.malware.enabled": false,
  "browser.safebrowsing.phishing.enabled": false,
  "browser.safebrowsing.downloads.enabled": false,
  "datareporting.policy.dataSubmissionEnabled": false,
  "datareporting.healthreport.uploadEnabled": false,
  "toolkit.telemetry.enabled": false,
  "extensions.update.enabled": false,
  "network.captive-portal-service.enabled": false,
  "network.connectivity-service.enabled": false,
  "browser.region.network.url": "",
};

function text(page: Page, selector: string): Promise<string> {
  return page.$eval(selector, (el) => el.textContent ?? "").catch(() => "");
}

async function type(page: Page, line: string): Promise<void> {
  await page.type("#composer-text", line);
  await page.keyboard.press("Enter");
}

describe.skipIf(!fs.existsSync(FIREFOX))("the playground in Firefox", () => {
  let dir: string;
  let pg: PlaygroundProcess;
  let browser: Browser;
  let page: Page;
  const outside: string[] = [];
  const errors: string[] = [];

  beforeAll(async () => {
    dir = await fsp.mkdtemp(path.join(os.tmpdir(), "warroom-playground-ff-"));
    pg = await startPlayground(path.join(dir, "data"));
    // the window's own size (ESR 140 has no BiDi command for viewport emulation)
    // (a first Firefox start on a busy machine can take a while: up to 90 s, not puppeteer's 30)
    browser = await launch({ browser: "firefox", executablePath: FIREFOX, headless: true, defaultViewport: null, args: ["--width=1280", "--height=820"], extraPrefsFirefox: QUIET, timeout: 90_000, protocolTimeout: 90_000 });
    page = await browser.newPage();
    await page.setRequestInterception(true);
    page.on("request", (req) => {
      const host = new URL(req.url()).hostname;
      if (host === "127.0.0.1" || host === "localhost") void req.continue();
      else {
        outside.push(req.url());
        void req.abort();
      }
    });
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(pg.url);
  });

  afterAll(async () => {
    await browser?.close();
    await pg?.stop();
    await fsp.rm(dir, { recursive: true, force: true });
  });

  it("runs the start of an incident: a command, the declare form, the channel, a role button", { timeout: 120_000 }, async () => {
    await expect.poll(() => text(page, ".local"), { timeout: 30_000 }).toContain("nothing leaves this machine");
    await expect.poll(() => text(page, "#sidebar"), { timeout: 30_000 }).toContain("general");

    await type(page, "/incident help");
    await expect.poll(() => text(page, ".msg.ephemeral:last-of-type"), { timeout: 30_000 }).toContain("/incident declare");

    await type(page, "/incident declare");
    await expect.poll(() => text(page, ".modal .modal-head h2"), { timeout: 30_000 }).toBe("Declare an incident");
    await page.locator(".modal [data-modal=submit]").click();
    await expect.poll(() => text(page, ".modal .bk-error")).toBe("Please complete this required field.");
    await page.locator(".modal [data-block=title] input").fill("Search is down");
    await page.locator(".modal [data-modal=submit]").click();
    await expect.poll(() => page.$$eval(".modal", (m) => m.length), { timeout: 30_000 }).toBe(0);

    await expect.poll(() => text(page, "#sidebar"), { timeout: 30_000 }).toContain("search-is-down");
    // locators wait for the element and retry when the page swaps it (clicks on a handle do not)
    await page.locator("#sidebar a::-p-text(search-is-down)").click();
    await expect.poll(() => text(page, ".pane-head h1"), { timeout: 30_000 }).toContain("search-is-down");
    await expect.poll(() => text(page, ".messages"), { timeout: 30_000 }).toContain("INCIDENT DECLARED");

    await page.locator(".messages button::-p-text(Take Tech Lead)").click();
    await expect.poll(() => text(page, ".messages"), { timeout: 30_000 }).toContain("took Tech Lead");

    expect(outside).toEqual([]);
    expect(errors).toEqual([]);
  });
});
