// The assistant in the playground, in a real browser: `npm run playground` with AI_BASE_URL set (here,
// the fake of the Chat Completions API on loopback) shows where the questions go, answers
// /incident catchup privately, and fills the update form with Draft with AI; the person then posts
// it. With PLAYGROUND_SCREENSHOTS=<dir> the screens are saved there (docs/playground/).

import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeOpenAI, startFakeOpenAI } from "../fake-openai/server.ts";
import { chromiumAvailable, launchChromium, openPage, type PlaygroundProcess, startPlayground } from "../support/playground.ts";

const SHOTS = process.env.PLAYGROUND_SCREENSHOTS;

async function shot(page: Page, name: string): Promise<void> {
  if (!SHOTS) return;
  await fs.mkdir(SHOTS, { recursive: true });
  await page.waitForTimeout(300);
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
}

async function type(page: Page, text: string): Promise<void> {
  const box = page.locator("#composer-text");
  await box.fill(text);
  await box.press("Enter");
}

describe.skipIf(!chromiumAvailable())("the assistant in the playground", () => {
  let dir: string;
  let ai: FakeOpenAI;
  let pg: PlaygroundProcess;
  let browser: Browser;
  let page: Page;
  let outside: string[];
  let errors: string[];

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "warroom-playground-ai-"));
    ai = await startFakeOpenAI({ answerMs: 300 });
    pg = await startPlayground(path.join(dir, "data"), { env: { AI_BASE_URL: ai.baseUrl, AI_MODEL: "llama3.1" } });
    browser = await launchChromium();
    ({ page, outside, errors } = await openPage(browser, pg.url));
  });

  afterAll(async () => {
    await browser?.close();
    await pg?.stop();
    await ai?.stop();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it("says where the assistant's questions go", async () => {
    expect(pg.stdout.join("\n")).toContain(`only the assistant's questions leave, to ${ai.baseUrl}`);
    await expect.poll(() => page.locator(".local").textContent()).toContain(`only the assistant's questions leave, to ${ai.baseUrl}`);
  });

  it("catches a person up, and drafts an update they edit and post", { timeout: 120_000 }, async () => {
    await type(page, "/incident declare sev2 Search is slow");
    const channelLink = page.locator("#sidebar a", { hasText: "inc-" }).first();
    await expect.poll(() => channelLink.count(), { timeout: 30_000 }).toBe(1);
    await channelLink.click();
    await expect.poll(() => page.locator(".msg", { hasText: "INCIDENT DECLARED" }).count(), { timeout: 30_000 }).toBeGreaterThan(0);
    await type(page, "Node 3 of the search cluster is out of disk");

    await type(page, "/incident catchup");
    const caught = page.locator(".msg.ephemeral", { hasText: "Catching you up" }).last();
    await expect.poll(() => caught.textContent(), { timeout: 30_000 }).toContain("AI draft — check it");
    expect(await caught.textContent()).toContain("What is happening");
    // the answer replaced the "Catching you up…" line, as Slack replaces a command's answer
    await expect.poll(() => page.locator(".msg.ephemeral", { hasText: "Catching you up" }).count()).toBe(1);
    expect(ai.requests.some((r) => r.text.includes("Node 3 of the search cluster is out of disk"))).toBe(true);
    await caught.scrollIntoViewIfNeeded();
    await shot(page, "assistant-catchup");

    await type(page, "/incident update");
    const modal = page.locator(".modal");
    await expect.poll(() => modal.locator(".modal-head h2").textContent(), { timeout: 30_000 }).toMatch(/^Update INC-\d+$/);
    await modal.locator("button", { hasText: "Draft with AI" }).click();
    const summary = modal.locator(".bk-inputblock", { hasText: "Summary" }).locator("textarea, input");
    await expect.poll(() => summary.inputValue(), { timeout: 30_000 }).toContain("What we are doing: rolling it back.");
    await expect.poll(() => modal.locator(".bk-inputblock", { hasText: "Status" }).locator("select").inputValue()).toBe("identified");
    await expect.poll(() => modal.textContent()).toContain("AI draft — check it, edit it, then post it");
    await shot(page, "assistant-draft");
    // nothing was posted by the draft; the person edits it and posts it
    expect(await page.locator(".msg", { hasText: "What we are doing: rolling it back." }).count()).toBe(0);
    await summary.fill("Impact: search is slow for everyone.\nWhat we are doing: freeing disk on node 3.");
    await modal.locator("[data-modal=submit]").click();
    await expect.poll(() => page.locator(".modal").count(), { timeout: 30_000 }).toBe(0);
    await expect.poll(() => page.locator(".msg", { hasText: "freeing disk on node 3" }).count(), { timeout: 30_000 }).toBeGreaterThan(0);
    expect(outside).toEqual([]);
    expect(errors).toEqual([]);
  });
});
