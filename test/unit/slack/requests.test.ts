// The checks at the door: Slack's timestamp window, which interactions no listener handles, and the
// hidden data of an incident's forms.

import { describe, expect, it } from "vitest";
import { timestampInWindow } from "../../../src/edge/http-server.ts";
import { ACTION, CALLBACK } from "../../../src/slack/ids.ts";
import { unhandled } from "../../../src/edge/slack/listeners/unhandled.ts";
import { incidentForm } from "../../../src/edge/slack/payloads.ts";

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

describe("incidentForm", () => {
  const id = "0b8e4d1e-5a4f-4c1e-9a7e-2f0f3b6d9c11";
  const submission = (privateMetadata: string) => ({
    type: "view_submission",
    user: { id: "U0ALICE" },
    view: { id: "V0FORM", callback_id: CALLBACK.updateModal, private_metadata: privateMetadata, state: { values: {} } },
  });

  it("gives the form and the incident its hidden data names", () => {
    const read = incidentForm(submission(JSON.stringify({ incidentId: id })));
    expect(read?.incidentId).toBe(id);
    expect(read?.form.view.id).toBe("V0FORM");
  });

  it.each([
    ["hidden data that is not JSON", submission("{incidentId:")],
    ["no hidden data", submission("")],
    ["an incident id that is not one", submission(JSON.stringify({ incidentId: "../../etc" }))],
    ["a body that is not a form submission", { type: "block_actions", user: { id: "U0ALICE" } }],
  ])("reads nothing from %s", (_what, body) => {
    expect(incidentForm(body)).toBeUndefined();
  });
});
