// People, as Slack knows them: display names (for topics and documents) and whether an id is a real,
// active person. Cached for an hour; when Slack cannot answer, the id stands in for the name.

import type { Clock } from "../clock.ts";
import type { Logger } from "../log.ts";
import { isSlackError, type SlackApi } from "./api.ts";

export interface Person {
  readonly id: string;
  readonly name: string;
  readonly isBot: boolean;
  readonly deleted: boolean;
  readonly tz?: string;
  /** profile.email, with the users:read.email scope. */
  readonly email?: string;
}

const TTL_MS = 60 * 60 * 1000;
const MAX_ENTRIES = 5000;

export class UserDirectory {
  private readonly cache = new Map<string, { person: Person | null; at: number }>();

  constructor(
    private readonly slack: SlackApi,
    private readonly log: Logger,
    private readonly clock: Clock,
  ) {}

  /** The person, or null when Slack says there is no such user; undefined when Slack can't tell now. */
  async lookup(userId: string): Promise<Person | null | undefined> {
    const hit = this.cache.get(userId);
    if (hit && this.clock.now().getTime() - hit.at < TTL_MS) return hit.person;
    try {
      const r = await this.slack.call<{
        ok: boolean;
        user: { id: string; name: string; real_name?: string; deleted?: boolean; is_bot?: boolean; tz?: string; profile?: { display_name?: string; real_name?: string; email?: string } };
      }>("users.info", { user: userId });
      const u = r.user;
      const person: Person = {
        id: u.id,
        name: u.profile?.display_name || u.profile?.real_name || u.real_name || u.name,
        isBot: Boolean(u.is_bot),
        deleted: Boolean(u.deleted),
        ...(u.tz ? { tz: u.tz } : {}),
        ...(u.profile?.email ? { email: u.profile.email } : {}),
      };
      this.remember(userId, person);
      return person;
    } catch (err) {
      if (isSlackError(err, "user_not_found", "user_not_visible")) {
        this.remember(userId, null);
        return null;
      }
      this.log.warn({ err, userId }, "could not look up a user");
      return undefined;
    }
  }

  async name(userId: string): Promise<string> {
    return (await this.lookup(userId))?.name ?? userId;
  }

  async names(userIds: readonly string[]): Promise<Map<string, string>> {
    const unique = [...new Set(userIds)];
    const names = await Promise.all(unique.map((u) => this.name(u)));
    return new Map(unique.map((u, i) => [u, names[i] as string]));
  }

  private remember(userId: string, person: Person | null): void {
    if (this.cache.size >= MAX_ENTRIES) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    this.cache.set(userId, { person, at: this.clock.now().getTime() });
  }
}
