// Channel names from the configuration resolved to ids (cached): Slack accepts a name when posting,
// but finding an earlier post after a crash needs the id.

import type { Logger } from "../log.ts";
import type { SlackApi } from "./api.ts";

export class ChannelResolver {
  private readonly cache = new Map<string, string>();

  constructor(
    private readonly slack: SlackApi,
    private readonly log: Logger,
  ) {}

  /** The id for a configured channel (id or name); the name itself when it cannot be found. */
  async resolve(nameOrId: string): Promise<string> {
    if (/^[CG][A-Z0-9]{6,}$/.test(nameOrId)) return nameOrId;
    const name = nameOrId.replace(/^#/, "");
    const hit = this.cache.get(name);
    if (hit) return hit;
    try {
      let cursor: string | undefined;
      for (let page = 0; page < 50; page++) {
        const r = await this.slack.call<{ ok: boolean; channels?: { id: string; name: string }[]; response_metadata?: { next_cursor?: string } }>("conversations.list", {
          types: "public_channel,private_channel",
          exclude_archived: true,
          limit: 1000,
          ...(cursor ? { cursor } : {}),
        });
        const found = r.channels?.find((c) => c.name === name);
        if (found) {
          this.cache.set(name, found.id);
          return found.id;
        }
        cursor = r.response_metadata?.next_cursor || undefined;
        if (!cursor) break;
      }
    } catch (err) {
      this.log.warn({ err, channel: name }, "could not look up a channel by name");
      return name;
    }
    return name;
  }
}
