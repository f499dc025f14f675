// The status page as a visitor sees it, in headless Chromium, after the whole loop in the playground:
// an incident declared, `/incident statuspage` filled in and published, then the page opened from the
// playground's link. Light and dark colour schemes, a phone's width, JavaScript off; no request leaves
// loopback, the CSP refuses nothing the page itself uses, and the Atom feed parses as XML. With
// PLAYGROUND_SCREENSHOTS=<dir> the screens are saved in <dir>/../status-page/ (docs/status-page/).

import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromiumAvailable, launchChromium, openPage, type PlaygroundProcess, startPlayground } from "../support/playground.ts";

// what runs in the page, typed here (this file is compiled without the DOM's types)
declare function getComputedStyle(el: unknown): { backgroundColor: string; stroke: string };
interface XmlNode {
  readonly textContent: string | null;
}
declare class DOMParser {
  parseFromString(text: string, type: string): { querySelector(q: string): XmlNode | null; querySelectorAll(q: string): Iterable<XmlNode> };
}

const SHOTS = process.env.PLAYGROUND_SCREENSHOTS ? path.join(process.env.PLAYGROUND_SCREENSHOTS, "..", "status-page") : undefined;

async function shot(page: Page, name: string): Promise<void> {
  if (!SHOTS) return;
  await fs.mkdir(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

async function type(page: Page, text: string): Promise<void> {
  const box = page.locator("#composer-text");
  await box.fill(text);
  await box.press("Enter");
}

/** A visitor: JavaScript as asked, a colour scheme, a width; every request off loopback refused and noted, every console complaint noted. */
async function visitor(browser: Browser, opts: { dark?: boolean; javaScript?: boolean; phone?: boolean }): Promise<{ context: BrowserContext; page: Page; outside: string[]; complaints: string[] }> {
  const context = await browser.newContext({
    viewport: opts.phone ? { width: 390, height: 844 } : { width: 1100, height: 900 },
    colorScheme: opts.dark ? "dark" : "light",
    javaScriptEnabled: opts.javaScript ?? true,
    timezoneId: "Europe/Paris",
    locale: "en-GB",
  });
  const page = await context.newPage();
  const outside: string[] = [];
  const complaints: string[] = [];
  await page.route("**/*", (route) => {
    const u = new URL(route.request().url());
    if (u.hostname === "127.0.0.1" || u.hostname === "localhost") return route.continue();
    outside.push(route.request().url());
    return route.abort();
  });
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") complaints.push(m.text());
  });
  return { context, page, outside, complaints };
}

describe.skipIf(!chromiumAvailable())("the status page in a browser", () => {
  let dir: string;
  let pg: PlaygroundProcess;
  let browser: Browser;
  let statusUrl: string;

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "warroom-status-page-"));
    pg = await startPlayground(path.join(dir, "data"));
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await pg?.stop();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it("is published from the playground and opened from its link", { timeout: 120_000 }, async () => {
    const { page, outside, errors } = await openPage(browser, pg.url);
    await type(page, "/incident declare sev1 Card payments failing on checkout");
    const channelLink = page.locator("#sidebar a", { hasText: "inc-" }).first();
    await expect.poll(() => channelLink.count(), { timeout: 30_000 }).toBe(1);
    await channelLink.click();
    await expect.poll(() => page.locator(".msg", { hasText: "INCIDENT DECLARED" }).count(), { timeout: 30_000 }).toBeGreaterThan(0);

    await type(page, "/incident statuspage");
    const modal = page.locator(".modal");
    await expect.poll(() => modal.locator(".modal-head h2").textContent(), { timeout: 30_000 }).toBe("Status page");
    await modal.locator(".bk-inputblock", { hasText: "Public title" }).locator("input").fill("Card payments failing");
    await modal.locator(".bk-inputblock", { hasText: "Message" }).locator("textarea").fill("Some card payments fail at checkout. We are investigating and will update within 30 minutes.");
    await modal.locator("select:has(option[value=critical])").selectOption("major");
    await modal.locator("select[multiple]").selectOption(["api", "eu-checkout"]);
    await modal.locator("[data-modal=submit]").click();
    await expect.poll(() => page.locator(".msg", { hasText: "on Playground status" }).count(), { timeout: 30_000 }).toBeGreaterThan(0);

    const link = page.locator("a.status-link");
    statusUrl = (await link.getAttribute("href")) as string;
    expect(statusUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/status$/);
    expect(outside).toEqual([]);
    expect(errors).toEqual([]);
  });

  it.each([
    ["light", {}],
    ["dark", { dark: true }],
    ["phone", { phone: true, dark: false }],
    ["no-javascript", { javaScript: false }],
  ] as [string, { dark?: boolean; javaScript?: boolean; phone?: boolean }][])("reads well: %s", { timeout: 60_000 }, async (name, opts) => {
    const v = await visitor(browser, opts);
    try {
      const res = await v.page.goto(statusUrl);
      expect(res?.status()).toBe(200);
      await expect.poll(() => v.page.locator(".banner").textContent()).toBe("Partial System Outage");
      expect(await v.page.locator(".incident h3").first().textContent()).toBe("Card payments failing");
      // the stylesheet applied (allowed by its hash): the banner is coloured, differently in the dark
      const banner = await v.page.locator(".banner").evaluate((el) => getComputedStyle(el).backgroundColor);
      expect(banner).toBe(opts.dark ? "rgb(189, 86, 29)" : "rgb(188, 76, 0)");
      const body = await v.page.locator("body").evaluate((el) => getComputedStyle(el).backgroundColor);
      expect(body).toBe(opts.dark ? "rgb(13, 17, 23)" : "rgb(255, 255, 255)");
      // the components' states, and today's bar drawn for the affected ones
      expect(await v.page.locator(".component", { hasText: "API" }).locator(".state").textContent()).toBe("Partial outage");
      expect(await v.page.locator(".component", { hasText: "Website" }).locator(".state").textContent()).toBe("Operational");
      const today = v.page.locator(".component", { hasText: "API" }).locator("path.major");
      expect(await today.count()).toBe(1);
      expect(await today.evaluate((el) => getComputedStyle(el).stroke)).toBe(opts.dark ? "rgb(240, 136, 62)" : "rgb(225, 111, 36)");
      // on a phone nothing is wider than the screen
      if (name === "phone") expect(await v.page.evaluate<number>("document.documentElement.scrollWidth")).toBeLessThanOrEqual(390);
      await shot(v.page, name);
      // the incident's own page
      await v.page.locator(".incident h3 a").first().click();
      await expect.poll(() => v.page.locator("h2").first().textContent()).toBe("Card payments failing");
      expect(await v.page.locator(".update p").first().textContent()).toContain("We are investigating and will update within 30 minutes.");
      if (name === "light") await shot(v.page, "incident");
      expect(v.outside).toEqual([]);
      expect(v.complaints).toEqual([]);
    } finally {
      await v.context.close();
    }
  });

  it("serves an Atom feed that parses as XML, one entry per update", async () => {
    const v = await visitor(browser, {});
    try {
      await v.page.goto(statusUrl);
      const feedUrl = new URL("/status/feed.atom", statusUrl).href;
      expect(await v.page.locator('link[rel="alternate"]').getAttribute("href")).toBe("/status/feed.atom");
      // the page's CSP lets it fetch nothing, so the feed is read here and parsed by the browser
      const feed = await fetch(feedUrl);
      expect(feed.headers.get("content-type")).toBe("application/atom+xml; charset=utf-8");
      const text = await feed.text();
      await v.page.goto("about:blank");
      const parsed = await v.page.evaluate((xml) => {
        const doc = new DOMParser().parseFromString(xml, "application/xml");
        return { error: doc.querySelector("parsererror")?.textContent ?? null, entries: [...doc.querySelectorAll("entry > title")].map((t) => t.textContent) };
      }, text);
      expect(parsed.error).toBeNull();
      expect(parsed.entries).toEqual(["Card payments failing: Investigating"]);
    } finally {
      await v.context.close();
    }
  });
});
