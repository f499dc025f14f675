// Exactly-once Slack side effects, backed by the effect log (table slack_effects). Before a call that
// must not happen twice, its intent is committed; after it, its result. If the bot dies in between, or
// Slack answered but the answer was lost, the retry first looks for what the earlier attempt did:
// - a message carries its effect key in message metadata, so it is found in the channel's history;
// - a channel is found by the name that was being created, among channels the bot created.
// Calls that are naturally idempotent (invite, topic, pin, chat.update) need no log.

import type { Clock } from "../clock.ts";
import type { Logger } from "../log.ts";
import type { Db } from "../store/database.ts";
import { Prisma } from "../store/generated/client.ts";
import { execute, select } from "../store/sql.ts";
import { isSlackError, type SlackApi } from "./api.ts";

export const EFFECT_EVENT_TYPE = "warroom_effect";

export interface PostArgs {
  channel: string;
  text: string;
  blocks?: unknown[];
  thread_ts?: string;
  unfurl_links?: boolean;
}

export interface Posted {
  channel: string;
  ts: string;
}

interface EffectRow {
  startedAt: Date;
  result: unknown;
  completedAt: Date | null;
}

const EFFECT_COLUMNS = Prisma.sql`started_at AS "startedAt", result, completed_at AS "completedAt"`;

type HistoryMessage = { ts: string; metadata?: { event_type?: string; event_payload?: { key?: string } } };

export class SlackOnce {
  constructor(
    private readonly db: Db,
    private readonly slack: SlackApi,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly botUserId: string,
  ) {}

  /** The recorded result of a completed effect, if any. */
  async result<T>(key: string): Promise<T | undefined> {
    const row = await this.existing(key);
    return row?.completedAt ? (row.result as T) : undefined;
  }

  private async existing(key: string): Promise<EffectRow | undefined> {
    return (await select<EffectRow>(this.db, Prisma.sql`SELECT ${EFFECT_COLUMNS} FROM slack_effects WHERE key = ${key}`))[0];
  }

  /**
   * Records the intent of an effect not recorded yet (`resumed` false), or counts another attempt at
   * one that never finished (`resumed` true); an effect already finished comes back as it is, done.
   * One statement: a finished effect is neither counted again nor changed.
   */
  private async begin(key: string, method: string, intent: Record<string, unknown>): Promise<{ row: EffectRow; resumed: boolean; done: boolean }> {
    const [row] = await select<EffectRow & { inserted: boolean }>(
      this.db,
      Prisma.sql`
        WITH b AS (
          INSERT INTO slack_effects AS e (key, method, started_at, attempts, result)
          VALUES (${key}, ${method}, ${this.clock.now()}, 1, ${JSON.stringify(intent)}::jsonb)
          ON CONFLICT (key) DO UPDATE SET attempts = e.attempts + 1 WHERE e.completed_at IS NULL
          RETURNING ${EFFECT_COLUMNS}, (xmax = 0) AS inserted)
        SELECT * FROM b
        UNION ALL
        SELECT ${EFFECT_COLUMNS}, false FROM slack_effects WHERE key = ${key} AND NOT EXISTS (SELECT 1 FROM b)`,
    );
    if (!row) throw new Error(`the effect ${key} could not be recorded`);
    return { row, resumed: !row.inserted, done: row.completedAt !== null };
  }

  private async finish(key: string, result: unknown): Promise<void> {
    await execute(this.db, Prisma.sql`UPDATE slack_effects SET result = ${JSON.stringify(result)}::jsonb, completed_at = ${this.clock.now()} WHERE key = ${key}`);
  }

  /** Posts a message once per key; returns where it is. */
  async post(key: string, args: PostArgs): Promise<Posted> {
    const existing = await this.existing(key);
    if (existing?.completedAt) return existing.result as Posted;
    // a post held back by pacing is deferred before its intent is recorded, so it comes back as a
    // fresh attempt (no history to search)
    await this.slack.pace("chat.postMessage", { channel: args.channel });
    const { row, resumed, done } = await this.begin(key, "chat.postMessage", { channel: args.channel });
    // finished meanwhile by another attempt (a lease taken over while this one waited)
    if (done) return row.result as Posted;
    if (resumed) {
      const found = await this.findPosted(key, args.channel, row.startedAt);
      if (found) {
        this.log.info({ key, ts: found.ts }, "found the message an earlier attempt posted; not posting again");
        await this.finish(key, found);
        return found;
      }
    }
    const r = await this.slack.call<{ ok: boolean; channel: string; ts: string }>(
      "chat.postMessage",
      { ...args, metadata: { event_type: EFFECT_EVENT_TYPE, event_payload: { key } } },
      { prepaid: true },
    );
    const posted = { channel: r.channel, ts: r.ts };
    await this.finish(key, posted);
    return posted;
  }

  /** Looks through the channel's (or the DM's) recent history for a message carrying this effect key. */
  private async findPosted(key: string, target: string, since: Date): Promise<Posted | undefined> {
    let channel = target;
    try {
      // a DM is posted to the person's id; its history is the app's DM with them (im:write, im:history)
      if (/^[UW]/.test(target)) channel = (await this.slack.call<{ ok: boolean; channel: { id: string } }>("conversations.open", { users: target })).channel.id;
      if (!/^[CGD]/.test(channel)) return undefined;
      return await this.searchHistory(key, channel, since);
    } catch (searchErr) {
      let err = searchErr;
      // reading a public channel's history needs membership; chat:write.public posts without it (the
      // announce channel), so join it once to look
      if (isSlackError(err, "not_in_channel") && channel.startsWith("C")) {
        try {
          await this.slack.call("conversations.join", { channel });
          this.log.info({ channel }, "joined a channel to look for a message posted before a crash");
          return await this.searchHistory(key, channel, since);
        } catch (joinErr) {
          err = joinErr;
        }
      }
      // a passing failure (rate limit, timeout, 5xx) is retried later rather than risking a second post
      if (!isSlackError(err) || err.transient) throw err;
      this.log.warn({ key, channel, method: err.method, code: err.code }, "could not search history for an earlier attempt; posting again");
    }
    return undefined;
  }

  private async searchHistory(key: string, channel: string, since: Date): Promise<Posted | undefined> {
    let cursor: string | undefined;
    for (let page = 0; page < 5; page++) {
      const r = await this.slack.call<{ ok: boolean; messages?: HistoryMessage[]; response_metadata?: { next_cursor?: string } }>("conversations.history", {
        channel,
        oldest: String(Math.floor(since.getTime() / 1000) - 120),
        include_all_metadata: true,
        limit: 200,
        ...(cursor ? { cursor } : {}),
      });
      const hit = r.messages?.find((m) => m.metadata?.event_type === EFFECT_EVENT_TYPE && m.metadata.event_payload?.key === key);
      if (hit) return { channel, ts: hit.ts };
      cursor = r.response_metadata?.next_cursor || undefined;
      if (!cursor) return undefined;
    }
    return undefined;
  }

  /**
   * Creates a channel once per key. `nameFor(attempt)` gives the name to try; on `name_taken` the next
   * attempt's name is tried. Returns the channel id and the name it got.
   */
  async createChannel(
    key: string,
    nameFor: (attempt: number) => string,
    isPrivate: boolean,
    isOurs: (channelId: string) => Promise<boolean>,
  ): Promise<{ id: string; name: string }> {
    const { row, resumed, done } = await this.begin(key, "conversations.create", { attempt: 1 });
    if (done) return row.result as { id: string; name: string };
    let attempt = (row.result as { attempt?: number } | null)?.attempt ?? 1;
    if (resumed) {
      const pending = (row.result as { pending?: string } | null)?.pending;
      // not one another creation of the same name may have made (it adopts it itself if so)
      const adopted = pending && !(await this.creatingElsewhere(key, pending)) ? await this.findCreated(pending, isPrivate, isOurs) : undefined;
      if (adopted) {
        this.log.info({ key, channel: adopted.id }, "found the channel an earlier attempt created; adopting it");
        await this.finish(key, adopted);
        return adopted;
      }
    }
    for (; attempt <= 50; attempt++) {
      const name = nameFor(attempt);
      // held back by pacing before the name is recorded as being created
      await this.slack.pace("conversations.create", {});
      await execute(this.db, Prisma.sql`UPDATE slack_effects SET result = ${JSON.stringify({ attempt, pending: name })}::jsonb WHERE key = ${key}`);
      try {
        const r = await this.slack.call<{ ok: boolean; channel: { id: string; name: string } }>("conversations.create", { name, is_private: isPrivate }, { prepaid: true });
        const created = { id: r.channel.id, name: r.channel.name };
        await this.finish(key, created);
        return created;
      } catch (err) {
        if (!isSlackError(err, "name_taken")) throw err;
        // another incident creating the same name at this moment made it: its answer is on its way
        if (await this.creatingElsewhere(key, name)) continue;
        // the bot may have made it in a life this database does not remember (a restore from a
        // snapshot taken before it was created): a channel of the bot's that no incident claims
        const adopted = await this.findCreated(name, isPrivate, isOurs);
        if (adopted) {
          this.log.info({ key, channel: adopted.id }, "the name is taken by a channel the bot made and no incident claims; adopting it");
          await this.finish(key, adopted);
          return adopted;
        }
      }
    }
    throw new Error(`no free channel name after 50 attempts (last tried ${nameFor(50)})`);
  }

  /** Whether another creation (not `key`'s) is making, or has made, a channel of this name. */
  private async creatingElsewhere(key: string, name: string): Promise<boolean> {
    const found = await select<unknown>(
      this.db,
      Prisma.sql`
        SELECT 1 FROM slack_effects
        WHERE method = 'conversations.create' AND key <> ${key} AND (result->>'pending' = ${name} OR result->>'name' = ${name})
        LIMIT 1`,
    );
    return found.length > 0;
  }

  private async findCreated(name: string, isPrivate: boolean, isOurs: (channelId: string) => Promise<boolean>): Promise<{ id: string; name: string } | undefined> {
    let cursor: string | undefined;
    for (let page = 0; page < 50; page++) {
      const r = await this.slack.call<{ ok: boolean; channels?: { id: string; name: string; creator?: string; is_archived?: boolean }[]; response_metadata?: { next_cursor?: string } }>(
        "conversations.list",
        { types: isPrivate ? "private_channel" : "public_channel", exclude_archived: true, limit: 1000, ...(cursor ? { cursor } : {}) },
      );
      const hit = r.channels?.find((c) => c.name === name && c.creator === this.botUserId);
      if (hit) return (await isOurs(hit.id)) ? { id: hit.id, name: hit.name } : undefined;
      cursor = r.response_metadata?.next_cursor || undefined;
      if (!cursor) return undefined;
    }
    return undefined;
  }

  /** Runs a naturally idempotent call once per key (skipped when already recorded). */
  async run<T>(key: string, method: string, perform: () => Promise<T>): Promise<T> {
    const { row, done } = await this.begin(key, method, {});
    if (done) return row.result as T;
    const result = await perform();
    await this.finish(key, result ?? null);
    return result;
  }
}
