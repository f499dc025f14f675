// Pacing: the sliding windows keep every limit in any window of its length, calls go first come
// first served, a deferred job keeps its slot, a coalescable call holds nothing, and a person waiting
// on a trigger is never held long.

import { describe, expect, it } from "vitest";
import { CHANNEL_INTERVAL_MS, INLINE_WAIT_MS, Pacer, pacingScope } from "../../../src/slack/pacing.ts";

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe("Pacer", () => {
  it("lets a tier's quota through at once, then defers the next call in a job until the window allows it", async () => {
    const c = clock();
    const p = new Pacer(true, c.now);
    // conversations.create is Tier 2: 20 a minute
    for (let i = 0; i < 20; i++) expect(await p.take("conversations.create", {})).toBe(0);
    const wait = await pacingScope.run({ key: "job:1" }, () => p.take("conversations.create", {}));
    expect(wait).toBeGreaterThan(59_000);
    expect(wait).toBeLessThanOrEqual(61_000);
    // the job comes back at its slot and goes at once, without reserving again
    c.advance(wait);
    expect(await pacingScope.run({ key: "job:1" }, () => p.take("conversations.create", {}))).toBe(0);
    // once the minute has passed, the quota is back
    for (let i = 0; i < 19; i++) expect(await pacingScope.run({ key: `job:${10 + i}` }, () => p.take("conversations.create", {}))).toBe(0);
    expect(await pacingScope.run({ key: "job:99" }, () => p.take("conversations.create", {}))).toBeGreaterThan(INLINE_WAIT_MS);
  });

  it("spaces messages to one channel a little over a second apart, other channels independent", async () => {
    const c = clock();
    const p = new Pacer(true, c.now);
    expect(await p.take("chat.postMessage", { channel: "C1" })).toBe(0);
    expect(p.waitFor("chat.postMessage", { channel: "C1" })).toBe(CHANNEL_INTERVAL_MS);
    expect(p.waitFor("chat.postMessage", { channel: "C2" })).toBe(0);
    // a queue of posts to one channel: each job's slot is a little over a second after the previous one
    const waits = [];
    for (let i = 0; i < 5; i++) waits.push(await pacingScope.run({ key: `job:${i}` }, () => p.take("chat.postMessage", { channel: "C1" })));
    expect(waits.slice(1)).toEqual([2, 3, 4, 5].map((k) => k * CHANNEL_INTERVAL_MS));
  });

  it("keeps any window of a minute within the quota, however the calls are spread", async () => {
    const c = clock();
    const p = new Pacer(true, c.now);
    const times: number[] = [];
    for (let i = 0; i < 200; i++) {
      const wait = await pacingScope.run({ key: `job:${i}` }, () => p.take("chat.update", {}));
      times.push(c.now() + wait);
      c.advance(137);
    }
    times.sort((a, b) => a - b);
    for (let i = 0; i + 50 < times.length; i++) expect((times[i + 50] as number) - (times[i] as number)).toBeGreaterThanOrEqual(60_000);
  });

  it("holds nothing for a coalescable call that would have to wait", async () => {
    const c = clock();
    const p = new Pacer(true, c.now);
    for (let i = 0; i < 50; i++) await p.take("chat.update", {});
    expect(await pacingScope.run({ key: "job:x" }, () => p.take("chat.update", {}, { mode: "skip" }))).toBeGreaterThan(0);
    const before = p.waitFor("chat.update");
    await pacingScope.run({ key: "job:y" }, () => p.take("chat.update", {}, { mode: "skip" }));
    expect(p.waitFor("chat.update")).toBe(before);
  });

  it("never holds a person's form for more than a moment", async () => {
    const c = clock();
    const p = new Pacer(true, c.now);
    for (let i = 0; i < 100; i++) await p.take("views.open", {});
    const started = Date.now();
    expect(await p.take("views.open", {}, { interactive: true })).toBe(0);
    expect(Date.now() - started).toBeLessThan(INLINE_WAIT_MS);
  });

  it("does nothing when off", async () => {
    const p = new Pacer(false);
    for (let i = 0; i < 100; i++) expect(await p.take("conversations.create", {})).toBe(0);
    expect(p.waitFor("conversations.create")).toBe(0);
  });
});
