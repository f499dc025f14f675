// The checklist template's parser (strict: every mistake named by its line) and the checklist's
// arithmetic, as tables.

import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { clickDelta, parseChecklist, progress, sectionsOf } from "../../../src/domain/checklist.ts";
import { ROOT } from "../../support/bot-process.ts";

const BUILTIN = fs.readFileSync(path.join(ROOT, "templates/checklist.md"), "utf8");

describe("the built-in checklist", () => {
  it("is the framework's Incident Response Checklist: six phases, 24 items, with the bot's keys", () => {
    const parsed = parseChecklist(BUILTIN);
    if (!parsed.ok) throw new Error(`${parsed.line}: ${parsed.reason}`);
    expect([...new Set(parsed.items.map((i) => i.phase))]).toEqual(["Detection", "Mobilization", "Investigation", "Mitigation", "Resolution", "Postmortem"]);
    expect(parsed.items).toHaveLength(24);
    expect(parsed.items[0]).toEqual({ phase: "Detection", text: "Acknowledge alert or report", auto: "declared" });
    expect(parsed.items.find((i) => i.text.startsWith("Create incident channel"))?.auto).toBe("channel_created");
    expect(new Set(parsed.items.map((i) => i.auto).filter(Boolean))).toEqual(
      new Set(["declared", "channel_created", "ic_assigned", "roles_assigned", "first_update", "announced_update", "status_page", "resolved", "postmortem_drafted", "action_items", "closed"]),
    );
  });
});

describe("parsing a checklist template", () => {
  it.each([
    ["### A\n- [ ] one\n- [ ] two <!-- auto: resolved -->\n### B\n* [ ] three", [{ phase: "A", text: "one", auto: null }, { phase: "A", text: "two", auto: "resolved" }, { phase: "B", text: "three", auto: null }]],
    ["# Title\n## Subtitle\n\n<!-- a\nmulti-line\ncomment -->\n### A\n\n- [ ] one\n", [{ phase: "A", text: "one", auto: null }]],
    ["### A ###\n-   [ ]   spaced   <!--auto:closed-->", [{ phase: "A", text: "spaced", auto: "closed" }]],
  ])("reads %j", (source, items) => {
    expect(parseChecklist(source)).toEqual({ ok: true, items });
  });

  it.each([
    ["- [ ] orphan\n### A\n- [ ] x", 1, "an item before the first phase heading (### Phase)"],
    ["### A\n- [ ] x\n### Empty\n\n### C\n- [ ] y", 3, 'the phase "Empty" has no items'],
    ["### A\n- [ ] x\n### Last", 3, 'the phase "Last" has no items'],
    ["### A\n- [ ] x <!-- auto: lunch -->", 2, 'unknown auto key "lunch": use one of declared, channel_created, ic_assigned, roles_assigned, first_update, announced_update, status_page, resolved, postmortem_drafted, action_items, closed'],
    ["### A\n- [ ] x <!-- note --> more", 2, "expected <!-- auto: KEY --> at the end of the item"],
    ["### A\nsome prose", 2, "expected a phase heading (### Phase), an item (- [ ] item) or a blank line"],
    ["### A\n- [x] done already", 2, "an item starts unticked: write - [ ] item"],
    ["### A\n#### Sub\n- [ ] x", 2, "expected a phase heading of three #s (### Detection)"],
    ["### A\n- [ ] x\n### A\n- [ ] y", 3, 'the phase "A" appears twice'],
    ["### A\n- [ ] <!-- auto: closed -->", 2, "the item has no text"],
    [`### A\n- [ ] ${"x".repeat(76)}`, 2, "the item is 76 characters; Slack shows at most 75 in a checkbox"],
    ["### A\n- [ ] x\n<!-- never closed", 3, "a comment is never closed (-->)"],
    ["# Only a title", 1, "the checklist has no phases (### Phase) with items (- [ ] item)"],
    [Array.from({ length: 46 }, (_, i) => `### P${i}\n- [ ] x`).join("\n"), 92, "the checklist needs 46 sections of 10 items; a Slack message holds 45"],
  ])("refuses %j at line %i", (source, line, reason) => {
    expect(parseChecklist(source)).toEqual({ ok: false, line, reason });
  });
});

describe("the checklist's state", () => {
  it("splits a phase longer than 10 items into pieces, keeping order", () => {
    const items = [...Array.from({ length: 23 }, (_, i) => ({ phase: "Long", n: i })), { phase: "Short", n: 23 }];
    expect(sectionsOf(items).map((s) => [s.phase, s.part, s.items.length])).toEqual([["Long", 1, 10], ["Long", 2, 10], ["Long", 3, 3], ["Short", 1, 1]]);
  });

  it("counts n of m done", () => {
    expect(progress([{ doneAt: new Date() }, { doneAt: null }, { doneAt: new Date() }])).toEqual({ done: 2, total: 3 });
    expect(progress([])).toEqual({ done: 0, total: 0 });
  });

  it.each([
    // shown, selected before (as the clicker saw it), selected now → ticked, unticked
    [[1, 2, 3], [], [2], [2], []],
    [[1, 2, 3], [1, 2], [1], [], [2]],
    [[1, 2, 3], [1], [2, 3], [2, 3], [1]],
    [[1, 2, 3], [1], [1], [], []],
    // positions of another element are not this click's
    [[1, 2, 3], [9], [1, 9, 10], [1], []],
  ])("a click on %j from %j to %j ticks %j and unticks %j", (shown, before, now, tick, untick) => {
    expect(clickDelta(shown, before, now)).toEqual({ tick, untick });
  });

  it("lets two people ticking different items at the same instant both count", () => {
    const a = clickDelta([1, 2], [], [1]);
    const b = clickDelta([1, 2], [], [2]);
    expect([...a.tick, ...b.tick].sort((x, y) => x - y)).toEqual([1, 2]);
    expect([...a.untick, ...b.untick]).toEqual([]);
  });
});
