// The insights page in headless Chromium, from the playground: an incident declared and resolved in
// the page, then the top bar's *Insights ↗*: the sign-in form (the token from the file the playground
// wrote), the charts in light and dark, a filter changed with the plain form; no request leaves
// loopback, nothing is refused by the page's CSP. With PLAYGROUND_SCREENSHOTS=<dir> the screens are
// saved in <dir>/../insights/ (docs/insights/).

import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromiumAvailable, launchChromium, openPage, type PlaygroundProcess, startPlayground } from "../support/playground.ts";

const SHOTS = process.env.PLAYGROUND_SCREENSHOTS ? path.join(process.env.PLAYGROUND_SCREENSHOTS, "..", "insights") : undefined;

async function type(page: Page, text: string): Promise<void> {
  const box = page.locator("#composer-text");
  await box.fill(text);
  await box.press("Enter");
}

describe.skipIf(!chromiumAvailable())("insights in a browser", () => {
  let dir: string;
  let pg: PlaygroundProcess;
  let browser: Browser;

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "warroom-insights-"));
    pg = await startPlayground(path.join(dir, "data"));
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await pg?.stop();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it("signs in from the playground's link and draws the team's numbers, light and dark", { timeout: 120_000 }, async () => {
    const { page, outside, errors } = await openPage(browser, pg.url);
    await type(page, "/incident declare sev2 Search is slow");
    const channelLink = page.locator("#sidebar a", { hasText: "inc-" }).first();
    await expect.poll(() => channelLink.count(), { timeout: 30_000 }).toBe(1);
    await channelLink.click();
    await expect.poll(() => page.locator(".msg", { hasText: "INCIDENT DECLARED" }).count(), { timeout: 30_000 }).toBeGreaterThan(0);
    await type(page, "/incident resolve Freed disk on node 3");
    await expect.poll(() => page.locator(".msg", { hasText: "Freed disk on node 3" }).count(), { timeout: 30_000 }).toBeGreaterThan(0);
    const href = (await page.locator("a.insights-link").getAttribute("href")) as string;
    expect(href).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/insights$/);
    const token = (await fs.readFile(path.join(pg.dataDir, "insights-token"), "utf8")).trim();
    expect((await fs.stat(path.join(pg.dataDir, "insights-token"))).mode & 0o777).toBe(0o600);
    expect(pg.stdout.join("\n")).not.toContain(token);

    for (const scheme of ["light", "dark"] as const) {
      const context = await browser.newContext({ viewport: { width: 1100, height: 900 }, colorScheme: scheme });
      const v = await context.newPage();
      const complaints: string[] = [];
      const away: string[] = [];
      await v.route("**/*", (route) => {
        const u = new URL(route.request().url());
        if (u.hostname === "127.0.0.1") return route.continue();
        away.push(u.href);
        return route.abort();
      });
      v.on("console", (m) => {
        if (m.type() === "error" || m.type() === "warning") complaints.push(m.text());
      });
      await v.goto(href);
      // sent to the sign-in form first
      await expect.poll(() => v.url()).toMatch(/\/insights\/signin$/);
      await v.locator('input[name="token"]').fill("not the token");
      await v.locator("button[type=submit]").click();
      await expect.poll(() => v.locator(".error").textContent()).toBe("That is not the API token.");
      // (the browser notes the 401 it was just answered; nothing else may complain)
      expect(complaints.every((c) => c.includes("401"))).toBe(true);
      complaints.length = 0;
      await v.locator('input[name="token"]').fill(token);
      await v.locator("button[type=submit]").click();
      await expect.poll(() => v.locator("h1").textContent()).toBe("Insights");
      expect(await v.locator("svg.chart").count()).toBe(8);
      expect(await v.locator(".summary b").first().textContent()).toBe("1");
      // this week's bar is drawn in SEV2's colour
      expect(await v.locator("#weekly svg.chart rect.s1").count()).toBe(1);
      if (SHOTS) {
        await fs.mkdir(SHOTS, { recursive: true });
        await v.screenshot({ path: path.join(SHOTS, `${scheme}.png`), fullPage: true });
      }
      // a filter with the plain form: drills alone (none here)
      await v.locator('select[name="drills"]').selectOption("only");
      await v.locator("form.filters button").click();
      await expect.poll(() => v.url()).toContain("drills=only");
      expect(await v.locator(".summary b").first().textContent()).toBe("0");
      expect(away).toEqual([]);
      expect(complaints).toEqual([]);
      await context.close();
    }
    expect(outside).toEqual([]);
    expect(errors).toEqual([]);
  });
});
