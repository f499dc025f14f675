// The effect keys the bot's messages carry (slack/once.ts writes each in the message's metadata):
// how a test tells which message is which effect, and that none happened twice.

import { EFFECT_EVENT_TYPE } from "../../src/slack/once.ts";
import type { FakeConversation } from "../../src/local-slack/workspace.ts";

/** The effect key of every message in a conversation that has one, in posting order. */
export function effectKeys(c: FakeConversation): string[] {
  return c.messages.map((m) => (m.metadata?.event_type === EFFECT_EVENT_TYPE ? String(m.metadata.event_payload.key) : "")).filter(Boolean);
}

/** Keys that occur more than once (each repeat listed). */
export function duplicatesIn(keys: readonly string[]): string[] {
  return keys.filter((k, i) => keys.indexOf(k) !== i);
}
