// Waiting for something the bot does in the background: polls `check` until it gives a value
// (anything but undefined, null or false), which it returns, or fails naming what it waited for.

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function until<T>(check: () => Promise<T | undefined | null | false> | T | undefined | null | false, timeoutMs: number, what: string, pollMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== null && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(pollMs);
  }
}
