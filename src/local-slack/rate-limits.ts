// Slack's published rate limits, enforced by the fake when a test asks (FakeSlack.rateLimits): each
// Web API method has a tier (Slack's method reference, docs.slack.dev methods/<name>.json,
// `rate_limits`: Tier 2 is 20+ calls a minute, Tier 3 50+, Tier 4 100+, per method and workspace),
// and chat.postMessage allows about one message per second per channel. A call over a limit gets
// HTTP 429 with Retry-After, as Slack answers. Counted in sliding windows (the strictest reading of
// "per minute"); a message a little under a second after the previous one (900 ms) still passes.

import { METHOD_TIER, TIER_PER_MINUTE } from "../slack/pacing.ts";

// one table of Slack's published tiers, the bot's (src/slack/pacing.ts, from the method reference):
// the fake enforces exactly the 60 s minute and ~1 s per channel, without the bot's margins
const MINUTE_MS = 60_000;
const CHANNEL_GAP_MS = 900;

export class RateLimits {
  private readonly calls = new Map<string, number[]>();
  private readonly lastPost = new Map<string, number>();

  /** Seconds to wait (Retry-After) when the call is over its limit; undefined when it may go. The call is counted when it may. */
  check(method: string, args: Record<string, unknown>, now = Date.now()): number | undefined {
    if (method === "chat.postMessage") {
      const channel = typeof args.channel === "string" ? args.channel : "";
      const last = this.lastPost.get(channel);
      if (last !== undefined && now - last < CHANNEL_GAP_MS) return Math.max(1, Math.ceil((1000 - (now - last)) / 1000));
      this.lastPost.set(channel, now);
      return undefined;
    }
    const tier = METHOD_TIER[method];
    if (tier === undefined) return undefined;
    const limit = TIER_PER_MINUTE[tier];
    const times = (this.calls.get(method) ?? []).filter((t) => t > now - MINUTE_MS);
    if (times.length >= limit) {
      this.calls.set(method, times);
      return Math.max(1, Math.ceil(((times[0] as number) + MINUTE_MS - now) / 1000));
    }
    times.push(now);
    this.calls.set(method, times);
    return undefined;
  }
}
