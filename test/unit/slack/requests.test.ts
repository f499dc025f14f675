// The checks at the door: Slack's timestamp window, and which interactions no listener handles.

import { describe, expect, it } from "vitest";
import { timestampInWindow } from "../../../src/http-server.ts";
import { ACTION, CALLBACK } from "../../../src/slack/ids.ts";
import { unhandled } from "../../../src/slack/listeners/unhandled.ts";

describe("timestampInWindow", () => {
  const now = 1_700_000_000_000;
  it.each([
    ["now", String(now / 1000), true],
    ["five minutes ago", String(now / 1000 - 300), true],
    ["five minutes ahead", String(now / 1000 + 300), true],
    ["a second too old", String(now / 1000 - 301), false],
    ["a second too far ahead", String(now / 1000 + 301), false],
    ["not a number", "yesterday", false],
    ["a fraction", "1700000000.5", false],
    ["negative", "-1", false],
    ["empty", "", false],
    ["missing", undefined, false],
    ["repeated", ["1700000000", "1700000000"], false],
  ])("%s", (_what, header, expected) => {
    expect(timestampInWindow(header, now)).toBe(expected);
  });
});

describe("unhandled", () => {
  it("lets through what listeners handle", () => {
    expect(unhandled({ command: "/incident", text: "help" })).toBeUndefined();
    expect(unhandled({ command: "/renamed-by-the-team" })).toBeUndefined();
    expect(unhandled({ type: "event_callback", event: { type: "reaction_added" } })).toBeUndefined();
    for (const id of Object.values(ACTION)) if (id !== ACTION.takeRole) expect(unhandled({ type: "block_actions", actions: [{ action_id: id }] })).toBeUndefined();
    expect(unhandled({ type: "block_actions", actions: [{ action_id: `${ACTION.takeRole}:tech` }] })).toBeUndefined();
    for (const id of [CALLBACK.declareModal, CALLBACK.updateModal, CALLBACK.resolveModal]) expect(unhandled({ type: "view_submission", view: { callback_id: id } })).toBeUndefined();
    expect(unhandled({ type: "message_action", callback_id: CALLBACK.addToTimeline })).toBeUndefined();
  });

  it("names what it catches", () => {
    expect(unhandled({ type: "block_actions", actions: [{ action_id: "evil" }] })).toEqual({ type: "block_actions", id: "evil" });
    expect(unhandled({ type: "block_actions", actions: [{ action_id: ACTION.snooze }, { action_id: "evil" }] })).toEqual({ type: "block_actions", id: "evil" });
    expect(unhandled({ type: "block_actions", actions: [] })).toEqual({ type: "block_actions" });
    expect(unhandled({ type: "block_actions" })).toEqual({ type: "block_actions" });
    expect(unhandled({ type: "view_submission", view: { callback_id: "x" } })).toEqual({ type: "view_submission", id: "x" });
    expect(unhandled({ type: "view_closed", view: { callback_id: CALLBACK.updateModal } })).toEqual({ type: "view_closed" });
    expect(unhandled({ type: "shortcut", callback_id: "x" })).toEqual({ type: "shortcut", id: "x" });
    expect(unhandled(null)).toEqual({ type: "unknown" });
    expect(unhandled({ type: "x".repeat(500) })?.type).toHaveLength(50);
  });
});
