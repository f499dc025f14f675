// Slack's published rate limits, enforced by the fake when a test asks (FakeSlack.rateLimits): each
// Web API method has a tier (Slack's method reference, docs.slack.dev methods/<name>.json,
// `rate_limits`: Tier 2 is 20+ calls a minute, Tier 3 50+, Tier 4 100+, per method and workspace),
// and chat.postMessage allows about one message per second per channel. A call over a limit gets
// HTTP 429 with Retry-After, as Slack answers. Counted in sliding windows (the strictest reading of
// "per minute"); a message a little under a second after the previous one (900 ms) still passes.

const TIER_PER_MINUTE = { 2: 20, 3: 50, 4: 100 } as const;

/** From Slack's method reference (`rate_limits`: t2, t3, t4). */
const TIER: Readonly<Record<string, keyof typeof TIER_PER_MINUTE>> = {
  "bookmarks.add": 2,
  "canvases.create": 2,
  "canvases.edit": 3,
  "chat.postEphemeral": 4,
  "chat.update": 3,
  "conversations.archive": 2,
  "conversations.canvases.create": 2,
  "conversations.create": 2,
  "conversations.history": 3,
  "conversations.info": 3,
  "conversations.invite": 3,
  "conversations.join": 3,
  "conversations.list": 2,
  "conversations.members": 4,
  "conversations.open": 3,
  "conversations.setPurpose": 2,
  "conversations.setTopic": 2,
  "files.completeUploadExternal": 4,
  "files.getUploadURLExternal": 4,
  "pins.add": 2,
  "pins.remove": 2,
  "team.info": 3,
  "usergroups.users.list": 2,
  "users.info": 4,
  "views.open": 4,
  "views.publish": 4,
  "views.push": 4,
  "views.update": 4,
};

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
    const tier = TIER[method];
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
