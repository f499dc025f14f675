// Requests first (src/foreground.ts): background work waits at its steps while a request is being
// answered, goes one step at a time while requests keep coming, and all at once when they end.

import { describe, expect, it } from "vitest";
import { Foreground, step } from "../../src/foreground.ts";
import { sleep, until } from "../support/wait.ts";

/** Resolves to the order the given steps went in, each as soon as it goes. */
function recorder() {
  const went: string[] = [];
  return { went, go: (name: string, p: Promise<void> | undefined) => (p ?? Promise.resolve()).then(() => void went.push(name)) };
}

describe("the foreground", () => {
  it("keeps background work waiting while a request is being answered, and lets it go after the grace", async () => {
    const fg = new Foreground({ graceMs: 300, stepEveryMs: 10_000 });
    const leave = fg.enter();
    const { went, go } = recorder();
    const done = fg.background(() => go("step", step()));
    await sleep(60);
    expect(went).toEqual([]);
    leave();
    // still within the grace: the next request of a burst is usually on its way
    await sleep(20);
    expect(went).toEqual([]);
    await done;
    expect(went).toEqual(["step"]);
    expect(fg.busy).toBe(false);
  });

  it("does not hold back what is not background work, nor anything when no request is being answered", async () => {
    const fg = new Foreground();
    // step() itself, not what awaiting it gives (an awaited promise would give undefined too)
    expect(await fg.background(async () => ({ wait: step() }))).toEqual({ wait: undefined });
    const leave = fg.enter();
    // a request's own work (outside Foreground.background) never waits
    expect(step()).toBeUndefined();
    leave();
  });

  it("lets waiting steps go one at a time, oldest first, while requests keep coming", async () => {
    const fg = new Foreground({ graceMs: 5, stepEveryMs: 250 });
    const leave = fg.enter();
    const { went, go } = recorder();
    const all = ["a", "b", "c"].map((name) => fg.background(() => go(name, step())));
    expect(fg.waiting).toBe(3);
    await until(() => went.length > 0, 5000, "the first step");
    expect(went).toEqual(["a"]);
    expect(fg.waiting).toBe(2);
    await until(() => went.length > 1, 5000, "the second step");
    expect(went).toEqual(["a", "b"]);
    // the requests end: the rest goes at once
    leave();
    await Promise.all(all);
    expect(went).toEqual(["a", "b", "c"]);
    expect(fg.waiting).toBe(0);
  });

  it("counts each request once, however often its end is reported, and stays busy while another is answered", async () => {
    const fg = new Foreground({ graceMs: 1 });
    const first = fg.enter();
    const second = fg.enter();
    first();
    first();
    await sleep(10);
    expect(fg.busy).toBe(true);
    second();
    await sleep(10);
    expect(fg.busy).toBe(false);
  });

  it("gives up waiting for the quiet after the time asked, while the requests last", async () => {
    const fg = new Foreground();
    const leave = fg.enter();
    const started = performance.now();
    await fg.whenQuiet(50);
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
    expect(fg.busy).toBe(true);
    leave();
    await fg.whenQuiet(10_000);
  });
});
