// The playground in a real browser (Debian's Chromium, headless, through playwright-core): a whole
// incident as a newcomer would run it, from the outside. `npm run playground -- --fast` runs as a user
// starts it; the page is driven by clicks and typing only. With PLAYGROUND_SCREENSHOTS=<dir> the key
// screens are saved there (how docs/playground/ is made: npm run playground:screenshots).

import fs from "node:fs/promises";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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

async function actAs(page: Page, name: string): Promise<void> {
  await page.locator("#as").selectOption({ label: name });
}

describe.skipIf(!chromiumAvailable())("the playground in Chromium", () => {
  let dir: string;
  let pg: PlaygroundProcess;
  let browser: Browser;
  let page: Page;
  let outside: string[];
  let errors: string[];

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "warroom-playground-"));
    pg = await startPlayground(path.join(dir, "data"), { fast: true });
    browser = await launchChromium();
    ({ page, outside, errors } = await openPage(browser, pg.url));
  });

  afterAll(async () => {
    await browser?.close();
    await pg?.stop();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it("says it is local, and prints its loopback address", async () => {
    expect(pg.stdout.join("\n")).toMatch(/Warroom playground: http:\/\/127\.0\.0\.1:\d+/);
    await expect.poll(() => page.locator(".local").textContent()).toContain("nothing leaves this machine");
    await expect.poll(() => page.locator(".fast").textContent()).toContain("60×");
    await expect.poll(() => page.locator("#sidebar").textContent()).toContain("general");
    expect(await page.locator("#as option").allTextContents()).toEqual(expect.arrayContaining(["Alice Adams", "Bob Brown", "Carol Chen", "Dan Diaz"]));
  });

  it("runs a whole incident: declare by form and by command, take a role, update, a reminder, resolve, the postmortem", { timeout: 240_000 }, async () => {
    // /incident help answers privately
    await type(page, "/incident help");
    await expect.poll(() => page.locator(".msg.ephemeral").last().textContent(), { timeout: 30_000 }).toContain("/incident declare");

    // declare by form: a required field left empty is refused by the client, a blank title by the bot
    await type(page, "/incident declare");
    const modal = page.locator(".modal");
    await expect.poll(() => modal.locator(".modal-head h2").textContent(), { timeout: 30_000 }).toBe("Declare an incident");
    await shot(page, "declare-form");

    // "Help me choose" pushes the assessment on top (views.push, with a way back); its answer updates the
    // declare form beneath (views.update) and closes itself, leaving the suggested severity chosen
    const severity = modal.locator(".bk-inputblock", { hasText: "Severity" }).locator("select");
    expect(await severity.inputValue()).toBe("SEV2");
    await modal.locator("button", { hasText: "Help me choose" }).click();
    await expect.poll(() => modal.locator(".modal-head h2").textContent(), { timeout: 30_000 }).toBe("Choose a severity");
    expect(await modal.locator(".modal-back").count()).toBe(1);
    for (const question of await modal.locator(".bk-choices").all()) await question.locator("input").first().check();
    await modal.locator("[data-modal=submit]").click();
    await expect.poll(() => modal.locator(".modal-head h2").textContent(), { timeout: 30_000 }).toBe("Declare an incident");
    await expect.poll(() => severity.inputValue(), { timeout: 30_000 }).toBe("SEV1");
    expect(await modal.locator(".modal-back").count()).toBe(0);
    await modal.locator("[data-modal=submit]").click();
    await expect.poll(() => modal.locator(".bk-error").first().textContent()).toBe("Please complete this required field.");
    const title = modal.locator(".bk-inputblock", { hasText: "Title" }).locator("input, textarea");
    await title.fill("   ");
    await modal.locator("[data-modal=submit]").click();
    await expect.poll(() => modal.locator(".bk-error").first().textContent(), { timeout: 30_000 }).toContain("Give the incident a title");
    await title.fill("Checkout errors spiking");
    await modal.locator(".bk-inputblock", { hasText: "Severity" }).locator("select").selectOption({ label: "SEV1 · Critical" });
    await modal.locator(".bk-inputblock", { hasText: "Incident Commander" }).locator("select").selectOption({ label: "Alice Adams" });
    await modal.locator("[data-modal=submit]").click();
    await expect.poll(() => page.locator(".modal").count(), { timeout: 30_000 }).toBe(0);

    // the channel appears in the sidebar as the bot creates it
    const channelLink = page.locator("#sidebar a", { hasText: "inc-" }).first();
    await expect.poll(() => channelLink.count(), { timeout: 20_000 }).toBe(1);
    await channelLink.click();
    await expect.poll(() => page.locator(".pane-head h1").textContent()).toMatch(/^#inc-\d{4}-\d{2}-\d{2}-checkout-errors-spiking$/);
    await expect.poll(() => page.locator("[data-testid=topic]").textContent(), { timeout: 30_000 }).toContain("SEV1");
    const opening = page.locator(".msg", { hasText: "INCIDENT DECLARED" }).first();
    await expect.poll(() => opening.textContent(), { timeout: 30_000 }).toContain("Alice Adams");

    // Bob takes Tech Lead with the opening message's button
    await actAs(page, "Bob Brown");
    await opening.locator("button", { hasText: "Take Tech Lead" }).click();
    await expect.poll(() => page.locator(".msg", { hasText: "INCIDENT DECLARED" }).first().locator(".bk-section", { hasText: "Tech Lead" }).first().textContent(), { timeout: 30_000 }).toContain("Bob Brown");
    await shot(page, "incident-channel");

    // with --fast, SEV1's 30-minute cadence is 30 seconds: the update reminder arrives
    await expect.poll(() => page.locator(".msg", { hasText: "A status update is due" }).count(), { timeout: 90_000, interval: 1000 }).toBeGreaterThan(0);
    await shot(page, "reminder");

    // an update by command
    await actAs(page, "Alice Adams");
    await type(page, "/incident update Rolled back the 14:02 deploy; error rate falling");
    await expect.poll(() => page.locator(".msg", { hasText: "Rolled back the 14:02 deploy" }).count(), { timeout: 30_000 }).toBeGreaterThan(0);

    // a plain message, pinned; another with :pushpin:; a third through the message shortcut
    await type(page, "Database failover finished at 14:20");
    const note = page.locator(".msg", { hasText: "Database failover finished" }).last();
    await note.hover();
    await note.locator("[data-tool=pin]").click();
    await expect.poll(() => page.locator(".msg", { hasText: "Database failover finished" }).last().locator(".pin-mark").count()).toBe(1);
    await type(page, "Customers confirm checkout works again");
    const confirmNote = page.locator(".msg", { hasText: "Customers confirm checkout" }).last();
    await confirmNote.hover();
    await confirmNote.locator("[data-tool=react][data-name=pushpin]").first().click();
    await expect.poll(() => page.locator(".msg", { hasText: "Customers confirm checkout" }).last().locator(".reaction").count()).toBe(1);
    await type(page, "Root cause: connection pool exhausted");
    const cause = page.locator(".msg", { hasText: "Root cause: connection pool" }).last();
    await cause.hover();
    await cause.locator("[data-tool=shortcut]").click();
    await expect.poll(() => page.locator(".msg.ephemeral").last().textContent(), { timeout: 30_000 }).toMatch(/timeline/i);

    // resolve by command; the postmortem canvas follows
    await type(page, "/incident resolve Rolled back; the pool size is fixed");
    await expect.poll(() => page.locator("[data-testid=topic]").textContent(), { timeout: 20_000 }).toMatch(/Resolved/i);
    const canvasLink = page.locator(".canvas-link");
    await expect.poll(() => canvasLink.count(), { timeout: 30_000 }).toBe(1);
    await canvasLink.click();
    const canvas = page.locator("[data-testid=canvas]");
    await expect.poll(() => canvas.textContent(), { timeout: 30_000 }).toContain("Checkout errors spiking");
    const text = (await canvas.textContent()) ?? "";
    // the timeline the bot kept: the pin, the reaction and the shortcut all reached it
    expect(text).toContain("Database failover finished");
    expect(text).toContain("Customers confirm checkout");
    expect(text).toContain("Root cause: connection pool");
    expect(text).toContain("Rolled back the 14:02 deploy");
    await shot(page, "postmortem-canvas");
  });

  it("shows the App Home and the bot's direct messages", async () => {
    await page.locator("#sidebar a", { hasText: "Home" }).click();
    // the bot publishes the Home when it is opened (app_home_opened); its buttons work there too
    await expect.poll(() => page.locator(".home").textContent(), { timeout: 30_000 }).toContain("Last 30 days");
    await shot(page, "app-home");
    await page.locator(".home button", { hasText: "Declare an incident" }).click();
    await expect.poll(() => page.locator(".modal .modal-head h2").textContent(), { timeout: 30_000 }).toBe("Declare an incident");
    await page.locator(".modal [data-modal=cancel]").click();
    await expect.poll(() => page.locator(".modal").count()).toBe(0);
    await page.locator("#sidebar a", { hasText: /^●?Warroom$/ }).first().click();
    await expect.poll(() => page.locator(".pane-head h1").textContent()).toBe("Warroom");
  });

  it("renders <!date^…> tokens in the viewer's time zone", async () => {
    await page.locator("#sidebar a", { hasText: "inc-" }).first().click();
    // a token the bot wrote (the opening message's "Next update: <!date^…^{date_short_pretty} at {time}|… UTC>"
    // and the like), not only the page's own message times
    const times = page.locator('.messages .content time[data-format*="{time}"]');
    await expect.poll(() => times.count()).toBeGreaterThan(0);
    // the page's context runs in Europe/Paris (UTC+1 in December): the server's UTC fallback is replaced by local time
    const iso = await times.first().getAttribute("datetime");
    const shown = (await times.first().textContent()) ?? "";
    const paris = new Intl.DateTimeFormat("en-GB", { hour: "numeric", minute: "2-digit", timeZone: "Europe/Paris" }).format(new Date(iso ?? ""));
    const utc = new Date(iso ?? "").toISOString().slice(11, 16);
    expect(paris).not.toBe(utc);
    expect(shown).toContain(paris);
    expect(shown).not.toContain("UTC");
  });

  it("guards its door: the page's token, its own Host, a capped body, validated requests", async () => {
    const html = await (await fetch(`${pg.url}/`)).text();
    const token = /data-token="([^"]+)"/.exec(html)?.[1] ?? "";
    const post = (body: string) => fetch(`${pg.url}/ui/do`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${token}` }, body });
    const noToken = await fetch(`${pg.url}/ui/do`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(noToken.status).toBe(403);
    expect(await noToken.json()).toMatchObject({ error: "forbidden" });
    expect((await fetch(`${pg.url}/ui?as=x`)).status).toBe(403);
    expect((await fetch(`${pg.url}/files/F1`)).status).toBe(403);
    const noFile = await fetch(`${pg.url}/files/FNOSUCH1?t=${token}`);
    expect(noFile.status).toBe(404);
    expect(await noFile.json()).toMatchObject({ error: "file_not_found" });
    // a page on another name that resolves to 127.0.0.1 (DNS rebinding) is refused by its Host
    const rebound = await new Promise<number>((resolve, reject) => {
      const req = http.request(`${pg.url}/`, { headers: { host: "evil.example" } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on("error", reject);
      req.end();
    });
    expect(rebound).toBe(421);
    const bad = await post('{"op":"message","as":"U1","channel":"C1","text":"   "}');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: "invalid_request", message: "text: type a message first" });
    expect((await post("not json")).status).toBe(400);
    expect((await post(JSON.stringify({ op: "message", text: "x".repeat(300_000) }))).status).toBe(413);
    const unknown = await post('{"op":"message","as":"UNOBODY1","channel":"CNOWHERE1","text":"hi"}');
    expect(unknown.status).toBe(409);
    expect(await unknown.json()).toMatchObject({ error: "not_possible" });
  });

  it("adds a person, and nothing was fetched from outside or failed in the page", async () => {
    page.once("dialog", (d) => void d.accept("Erin Evans"));
    await page.locator("#add-person").click();
    await expect.poll(() => page.locator("#as option:checked").textContent()).toBe("Erin Evans");
    expect(outside).toEqual([]);
    expect(errors).toEqual([]);
  });

  it("keeps the person last chosen when an answer for the one before arrives after it", async () => {
    // every answer of the page's own state is held back a while, so the answer for Bob is still on its
    // way when Carol is chosen: it must not take the choice back
    await page.route(/\/ui\?/, async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 400));
      await route.continue();
    });
    try {
      await actAs(page, "Bob Brown");
      await actAs(page, "Carol Chen");
      await page.waitForTimeout(1_500);
      expect(await page.locator("#as option:checked").textContent()).toBe("Carol Chen");
    } finally {
      await page.unroute(/\/ui\?/);
    }
    await actAs(page, "Erin Evans");
    await expect.poll(() => page.locator("#as option:checked").textContent()).toBe("Erin Evans");
  });

  it("starts again on the same DATA_DIR with the workspace and the bot's record as they were", { timeout: 180_000 }, async () => {
    expect(await pg.stop()).toBe(0);
    pg = await startPlayground(pg.dataDir, { fast: true });
    await page.goto(pg.url);
    const channelLink = page.locator("#sidebar a", { hasText: "inc-" }).first();
    await expect.poll(() => channelLink.count(), { timeout: 30_000 }).toBe(1);
    await channelLink.click();
    await expect.poll(() => page.locator(".msg", { hasText: "INCIDENT DECLARED" }).count()).toBeGreaterThan(0);
    await expect.poll(() => page.locator(".msg", { hasText: "Database failover finished" }).locator(".pin-mark").count()).toBe(1);
    await type(page, "/incident status");
    await expect.poll(() => page.locator(".msg.ephemeral").last().textContent(), { timeout: 30_000 }).toContain("INC-1");
    expect(await page.locator("#as option").allTextContents()).toContain("Erin Evans");
  });
});
