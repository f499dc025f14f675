// The local Slack's conversations.history and conversations.replies as Slack's reference describes
// them: history newest first, a page at a time through response_metadata.next_cursor (has_more while
// there is more), thread replies left out of it and their parent showing thread_ts, reply_count and
// latest_reply; replies oldest first, the parent first; invalid_cursor and thread_not_found.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeSlack, startFakeSlack } from "../../../src/local-slack/server.ts";

let fake: FakeSlack;
let channel: string;
let parentTs: string;

type Page = { ok: boolean; error?: string; messages?: { ts: string; text: string; thread_ts?: string; reply_count?: number; latest_reply?: string }[]; has_more?: boolean; response_metadata?: { next_cursor?: string } };

async function call(method: string, args: Record<string, unknown>): Promise<Page> {
  const res = await fetch(`${fake.apiUrl}${method}`, { method: "POST", headers: { authorization: `Bearer ${fake.botToken}`, "content-type": "application/json; charset=utf-8" }, body: JSON.stringify(args) });
  return (await res.json()) as Page;
}

beforeAll(async () => {
  fake = await startFakeSlack();
  const alice = fake.ws.addUser("alice");
  const c = fake.ws.addChannel("inc-history", { members: [alice.id, fake.ws.botUserId] });
  channel = c.id;
  for (let i = 0; i < 25; i++) {
    const m = fake.ws.addMessage(channel, alice.id, `message ${i}`);
    if (i === 10) parentTs = m.ts;
  }
  for (let i = 0; i < 3; i++) fake.ws.addMessage(channel, alice.id, `reply ${i}`, { threadTs: parentTs });
});
afterAll(async () => {
  await fake?.stop();
});

describe("conversations.history", () => {
  it("pages newest first through next_cursor, without thread replies", async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const r = await call("conversations.history", { channel, limit: 10, ...(cursor ? { cursor } : {}) });
      expect(r.ok).toBe(true);
      seen.push(...(r.messages ?? []).map((m) => m.text));
      cursor = r.response_metadata?.next_cursor || undefined;
      expect(r.has_more).toBe(cursor !== undefined);
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(Array.from({ length: 25 }, (_, i) => `message ${24 - i}`));
  });

  it("shows a parent's thread", async () => {
    const r = await call("conversations.history", { channel, limit: 100 });
    const parent = r.messages?.find((m) => m.ts === parentTs);
    expect(parent).toMatchObject({ thread_ts: parentTs, reply_count: 3 });
    expect(parent?.latest_reply).toBeDefined();
    expect(r.messages?.find((m) => m.text === "message 11")?.reply_count).toBeUndefined();
  });

  it("refuses a cursor it did not give", async () => {
    expect(await call("conversations.history", { channel, cursor: "bm90LWEtY3Vyc29y" })).toMatchObject({ ok: false, error: "invalid_cursor" });
  });
});

describe("conversations.replies", () => {
  it("gives the parent, then its replies oldest first, a page at a time", async () => {
    const first = await call("conversations.replies", { channel, ts: parentTs, limit: 2 });
    expect(first.messages?.map((m) => m.text)).toEqual(["message 10", "reply 0"]);
    expect(first.has_more).toBe(true);
    const rest = await call("conversations.replies", { channel, ts: parentTs, limit: 2, cursor: first.response_metadata?.next_cursor });
    expect(rest.messages?.map((m) => m.text)).toEqual(["reply 1", "reply 2"]);
    expect(rest.has_more).toBe(false);
    expect(first.messages?.every((m) => m.thread_ts === parentTs)).toBe(true);
  });

  it("gives a message without replies alone, and refuses a ts that is no message", async () => {
    const lone = await call("conversations.replies", { channel, ts: (await call("conversations.history", { channel, limit: 1 })).messages?.[0]?.ts });
    expect(lone.messages?.map((m) => m.text)).toEqual(["message 24"]);
    expect(await call("conversations.replies", { channel, ts: "1.000001" })).toMatchObject({ ok: false, error: "thread_not_found" });
  });
});
