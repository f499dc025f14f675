// The playground (issue 16): how long `npm run playground` takes until its page answers on an existing
// DATA_DIR (its database made, its migrations applied; the page answers once the bot is up), and how
// long a channel of 2,000 messages takes to render in Chromium, opened by address and switched to
// from another channel.

import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Workspace } from "../src/local-slack/workspace.ts";
import { chromiumAvailable, launchChromium, openPage, startPlayground } from "../test/support/playground.ts";

export interface PlaygroundFigures {
  firstStartS: number;
  readyMs: number[];
  openMs: number[];
  switchMs: number[];
  /** A message posted in the open channel, until the page shows it (the page patches what changed). */
  liveMs: number[];
  messages: number;
  browser: boolean;
}

/** A workspace as the playground saves it, with one channel of `count` messages: the bot's Block Kit and people's text. */
function bigWorkspace(count: number): { json: string; channel: string; other: string } {
  const ws = new Workspace({ teamName: "Warroom Playground", teamDomain: "warroom-playground" });
  const people = ["alice", "bob", "carol", "dan"].map((n) => ws.addUser(n, { realName: `${n[0]?.toUpperCase()}${n.slice(1)} Example` }));
  const ids = people.map((p) => p.id);
  const general = ws.addChannel("general", { members: ids });
  ws.addMessage(general.id, ids[0] as string, "hello");
  const c = ws.addChannel("inc-2026-12-01-big-channel", { members: [ws.botUserId, ...ids] });
  for (let i = 0; i < count; i++) {
    if (i % 4 === 0) {
      ws.addAppMessage(c.id, `Update ${i}`, {
        blocks: [
          { type: "section", text: { type: "mrkdwn", text: `:mega: *Status update ${i}* for INC-1 · <@${ids[i % 4]}> · due <!date^1796157600^{date_short} {time}|2026-12-01 20:40 UTC>` }, fields: [{ type: "mrkdwn", text: "*Status:* Investigating" }, { type: "mrkdwn", text: "*Severity:* SEV2" }] },
          { type: "actions", elements: [{ type: "button", action_id: "a", text: { type: "plain_text", text: "Post update" }, style: "primary", value: "x" }, { type: "button", action_id: "b", text: { type: "plain_text", text: "Snooze" }, value: "y" }] },
          { type: "context", elements: [{ type: "mrkdwn", text: "Reminder from Warroom" }] },
        ],
      });
    } else {
      ws.addMessage(c.id, ids[i % 4] as string, `Looking at *shard ${i}*: error rate ${i % 17}% on \`checkout-api\`, see <https://grafana.example/d/${i}|dashboard> cc <@${ids[(i + 1) % 4]}> :eyes:`);
    }
  }
  return { json: JSON.stringify(ws.snapshot()), channel: c.id, other: general.id };
}

export async function measurePlayground(starts = 3, messages = 2000): Promise<PlaygroundFigures> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "warroom-bench-playground-"));
  const dataDir = path.join(dir, "data");
  try {
    await fs.mkdir(dataDir, { recursive: true });
    const big = bigWorkspace(messages);
    await fs.writeFile(path.join(dataDir, "workspace.json"), big.json);
    // the first start makes the database (not what the target is about)
    const first = await startPlayground(dataDir);
    const firstStartS = first.readyMs / 1000;
    await first.stop();
    const readyMs: number[] = [];
    for (let i = 0; i < starts; i++) {
      const pg = await startPlayground(dataDir);
      readyMs.push(pg.readyMs);
      if (i < starts - 1) await pg.stop();
      else {
        const figures = { firstStartS, readyMs, openMs: [] as number[], switchMs: [] as number[], liveMs: [] as number[], messages, browser: chromiumAvailable() };
        if (figures.browser) {
          const browser = await launchChromium();
          try {
            const { page } = await openPage(browser, `${pg.url}/#/c/${big.other}`);
            await page.waitForSelector(".msg");
            // (page functions as strings: this file is compiled for Node, without the DOM's types)
            const rendered = () => page.waitForFunction(`document.querySelectorAll(".messages .msg").length >= ${messages}`, undefined, { timeout: 30_000, polling: "raf" });
            const painted = () => page.evaluate("new Promise((resolve) => requestAnimationFrame(() => resolve(null)))");
            for (let r = 0; r < 5; r++) {
              // opened by its address: the whole page loads (from another document, so it is a real load)
              await page.goto("about:blank");
              let t = performance.now();
              await page.goto(`${pg.url}/#/c/${big.channel}`);
              await rendered();
              await painted();
              figures.openMs.push(performance.now() - t);
              // switched to from the sidebar
              await page.locator("#sidebar a", { hasText: "general" }).click();
              await page.waitForFunction(`document.querySelectorAll(".messages .msg").length < 10`, undefined, { polling: "raf" });
              t = performance.now();
              await page.locator("#sidebar a", { hasText: "big-channel" }).click();
              await rendered();
              await painted();
              figures.switchMs.push(performance.now() - t);
            }
            const token = String(await page.evaluate("document.body.dataset.token"));
            const as = String(await page.evaluate("document.getElementById('as').value"));
            for (let r = 0; r < 5; r++) {
              const t = performance.now();
              const res = await fetch(`${pg.url}/ui/do`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${token}` }, body: JSON.stringify({ op: "message", as, channel: big.channel, text: `live message ${r}` }) });
              if (!res.ok) throw new Error(`posting failed: ${res.status}`);
              await page.waitForFunction(`[...document.querySelectorAll(".messages .msg")].some((m) => m.textContent.includes("live message ${r}"))`, undefined, { timeout: 30_000, polling: "raf" });
              figures.liveMs.push(performance.now() - t);
            }
          } finally {
            await browser.close();
          }
        }
        await pg.stop();
        return figures;
      }
    }
    throw new Error("unreachable");
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}
