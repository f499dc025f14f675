// The Block Kit builders: pure functions of plain data, valid by Slack's limits (checked with the
// fake's validator), escaping every piece of user text.

import { describe, expect, it } from "vitest";
import type { Incident } from "../../../src/domain/incident.ts";
import { DEFAULT_SEVERITIES } from "../../../src/domain/severity.ts";
import { announceDeclared } from "../../../src/slack/blocks/war-room/announcements.ts";
import { declareModal } from "../../../src/slack/blocks/war-room/declare-modal.ts";
import { helpMessage } from "../../../src/slack/blocks/help.ts";
import { HOME_ITEMS_WITH_EXPORT, HOME_LIMITS, homeView } from "../../../src/slack/blocks/numbers/home.ts";
import { infoMessage, listMessage } from "../../../src/slack/blocks/info.ts";
import { channelTopic, openingMessage } from "../../../src/slack/blocks/war-room/opening-message.ts";
import { decodeRoleButton, encodeRoleButton, parseRoleRowBlock, roleRowBlock } from "../../../src/slack/ids.ts";
import { roleBrief } from "../../../src/slack/blocks/war-room/role-brief.ts";
import { checkBlocks, checkView } from "../../../src/local-slack/block-kit.ts";
import { anIncident as baseIncident } from "../../support/builders.ts";
import { actionItemDue, actionItemEcho } from "../../../src/slack/blocks/resolution/messages.ts";

const SEV2 = DEFAULT_SEVERITIES[1] as (typeof DEFAULT_SEVERITIES)[number];
const SEV4 = DEFAULT_SEVERITIES[3] as (typeof DEFAULT_SEVERITIES)[number];
const HOSTILE = "<!channel> <@U0123ABC> & <https://evil.example|x>";

const anIncident = (overrides: Partial<Incident> = {}): Incident =>
  baseIncident({ roles: { ic: "UIC", tech: "UTECH", comms: null, scribe: null }, responders: ["UR1", "UR2"], ...overrides });

const flat = (m: { text: string; blocks: unknown[] }) => `${m.text}${JSON.stringify(m.blocks)}`;

describe("the opening message", () => {
  it("is valid Block Kit for Slack", () => {
    expect(checkBlocks(openingMessage(anIncident(), SEV2).blocks, "message")).toBeUndefined();
    expect(checkBlocks(openingMessage(anIncident({ status: "closed" }), SEV2).blocks, "message")).toBeUndefined();
  });

  it("follows the framework's template: severity, summary, impact, detection, roles, status, next update", () => {
    const m = flat(openingMessage(anIncident(), SEV2));
    for (const s of ["INCIDENT DECLARED", "INC-12", "*Severity:* SEV2 · High", "*Summary:* Checkout errors", "*Impact:* EU customers", "*Detection:* Pager", "*Incident Commander:* <@UIC>", "*Tech Lead:* <@UTECH>", "*Comms Lead:* _unassigned_", "*Scribe:* _unassigned_", "*Responders:* <@UR1>, <@UR2>", "*Current status:* Investigating", "<!date^1769872980^"]) {
      expect(m).toContain(s);
    }
    expect(m).toContain("Use threads for extended discussion");
  });

  it("has a take button per role and a picker per role, the IC one asking for confirmation when held", () => {
    const blocks = openingMessage(anIncident(), SEV2).blocks as { type: string; elements?: Record<string, unknown>[]; accessory?: Record<string, unknown> }[];
    const buttons = blocks.find((b) => b.type === "actions")?.elements ?? [];
    expect(buttons.map((b) => (b.text as { text: string }).text)).toEqual(["Take over IC", "Take Tech Lead", "Take Comms Lead", "Take Scribe", "Join as responder"]);
    expect(buttons[0]?.confirm).toBeDefined();
    expect(buttons[2]?.confirm).toBeUndefined();
    expect(blocks.filter((b) => b.accessory?.type === "users_select")).toHaveLength(5);
    const free = openingMessage(anIncident({ roles: { ic: null, tech: null, comms: null, scribe: null } }), SEV2).blocks as typeof blocks;
    const ic = free.find((b) => b.type === "actions")?.elements?.[0];
    expect(ic).toMatchObject({ text: { text: "Take IC" }, style: "primary" });
    expect(ic?.confirm).toBeUndefined();
  });

  it("escapes user text everywhere: nothing pings, nothing links", () => {
    const m = flat(openingMessage(anIncident({ title: HOSTILE, impact: HOSTILE, detection: HOSTILE }), SEV2));
    expect(m).not.toContain("<!channel>");
    expect(m).not.toContain("<@U0123ABC>");
    expect(m).not.toContain("<https://evil");
    expect(m).toContain("&lt;!channel&gt; &lt;@U0123ABC&gt; &amp;");
  });

  it("says there is no cadence for a severity without one, and shows resolution", () => {
    expect(flat(openingMessage(anIncident({ severity: "SEV4", nextUpdateDueAt: null }), SEV4))).toContain("SEV4 has no update cadence");
    expect(flat(openingMessage(anIncident({ status: "resolved", resolvedAt: new Date("2026-01-31T16:00:00Z") }), SEV2))).toContain("*Resolved* <!date^");
  });

  it("stays valid with a title of 200 characters and 30 responders", () => {
    const m = openingMessage(anIncident({ title: "x".repeat(200), responders: Array.from({ length: 30 }, (_, i) => `UR${i}`) }), SEV2);
    expect(checkBlocks(m.blocks, "message")).toBeUndefined();
    expect(m.text.length).toBeLessThan(4000);
  });

  it("round-trips button values and block ids", () => {
    const v = { incidentId: anIncident().id, role: "ic" as const, expected: "UIC" };
    expect(decodeRoleButton(encodeRoleButton(v))).toEqual(v);
    expect(decodeRoleButton(encodeRoleButton({ ...v, expected: null }))).toEqual({ ...v, expected: null });
    expect(decodeRoleButton("garbage")).toBeUndefined();
    expect(parseRoleRowBlock(roleRowBlock("comms", v.incidentId))).toEqual({ role: "comms", incidentId: v.incidentId });
    expect(parseRoleRowBlock("role:comms:not-a-uuid")).toBeUndefined();
  });
});

describe("the topic", () => {
  it("is plain text of severity, status and IC, within 250 characters", () => {
    expect(channelTopic(anIncident(), SEV2, "Alice")).toBe("INC-12 SEV2 High · Investigating · IC: Alice · Checkout errors");
    expect(channelTopic(anIncident({ title: "y".repeat(300) }), SEV2, undefined).length).toBe(250);
  });
});

describe("other messages and views", () => {
  it("are valid Block Kit", () => {
    const incident = anIncident({ title: HOSTILE });
    expect(checkBlocks(announceDeclared(incident, SEV2, "C1").blocks, "message")).toBeUndefined();
    expect(checkBlocks(roleBrief(incident, SEV2, "scribe").blocks, "message")).toBeUndefined();
    expect(checkBlocks(helpMessage(DEFAULT_SEVERITIES).blocks, "message")).toBeUndefined();
    expect(checkBlocks(infoMessage(incident, SEV2, new Date()).blocks, "message")).toBeUndefined();
    expect(checkBlocks(listMessage(Array.from({ length: 50 }, () => incident), DEFAULT_SEVERITIES, new Date()).blocks, "message")).toBeUndefined();
    expect(checkView(declareModal(DEFAULT_SEVERITIES, "U1", { responseUrl: "https://hooks.slack.com/x" }))).toBeUndefined();
  });

  it("escape the title in the broadcast", () => {
    const m = flat(announceDeclared(anIncident({ title: HOSTILE }), SEV2, "C1"));
    expect(m).not.toContain("<!channel>");
    expect(m).toContain("<#C1>");
  });

  it("brief a role holder with what they do and don't", () => {
    const m = flat(roleBrief(anIncident(), SEV2, "ic"));
    expect(m).toContain("You are the Incident Commander of INC-12");
    expect(m).toContain("Debug code (unless they are the only responder)");
  });
});

describe("the App Home view", () => {
  it("stays under Slack's 100 blocks with many incidents and items, ending lists with 'and N more'", () => {
    const many = Array.from({ length: 80 }, (_, i) => baseIncident({ id: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`, number: i + 1, title: `Incident ${i}` }));
    const items = Array.from({ length: 70 }, (_, i) => ({ id: i + 1, number: 1, text: `Do ${i}`, due: null, incident: { number: 1, channelId: "C0123ABCD" }, issue: null }));
    const view = homeView({ open: many.slice(0, HOME_LIMITS.open), openTotal: 80, mine: many.slice(0, HOME_LIMITS.roles), mineTotal: 80, items: items.slice(0, HOME_LIMITS.items), itemsTotal: 70, statsLine: "Last 30 days: 80 incidents" }, "U0VIEWER", DEFAULT_SEVERITIES, new Date());
    const blocks = view.blocks as unknown[];
    expect(blocks.length).toBeLessThan(100);
    expect(checkView(view)).toBeUndefined();
    const text = JSON.stringify(blocks);
    expect(text).toContain("…and 50 more open incidents");
    expect(text).toContain("…and 65 more incidents where you hold a role");
    expect(text).toContain("…and 40 more action items");
  });

  it("with a Create in GitHub button on each item, still stays under 100 blocks, and an exported item shows its link instead", () => {
    const many = Array.from({ length: 80 }, (_, i) => baseIncident({ id: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`, number: i + 1, title: `Incident ${i}` }));
    const items = Array.from({ length: 70 }, (_, i) => ({ id: i + 1, number: i + 1, text: `Do ${i}`, due: null, incident: { number: 1, channelId: "C0123ABCD" }, issue: i === 0 ? { kind: "github", key: "#12", url: "https://github.com/acme/platform/issues/12" } : null }));
    const view = homeView({ open: many.slice(0, HOME_LIMITS.open), openTotal: 80, mine: many.slice(0, HOME_LIMITS.roles), mineTotal: 80, items: items.slice(0, HOME_LIMITS.items), itemsTotal: 70, statsLine: "Last 30 days: 80 incidents" }, "U0VIEWER", DEFAULT_SEVERITIES, new Date(), "GitHub");
    const blocks = view.blocks as { type: string; block_id?: string; text?: { text: string } }[];
    expect(blocks.length).toBeLessThanOrEqual(100);
    expect(checkView(view)).toBeUndefined();
    expect(JSON.stringify(blocks)).toContain(`…and ${70 - HOME_ITEMS_WITH_EXPORT} more action items`);
    expect(blocks.find((b) => b.text?.text.startsWith("*#1*"))?.text?.text).toContain("<https://github.com/acme/platform/issues/12|GitHub #12>");
    expect(blocks.some((b) => b.block_id === "action_export:1")).toBe(false);
    expect(blocks.some((b) => b.block_id === "action_export:2")).toBe(true);
  });
});

describe("an action item's issue in its messages", () => {
  const incident = baseIncident({ channelId: "C0123ABCD" });
  const item = { id: 9, number: 2, text: "Add a canary", ownerId: "U0BOB", due: "2026-12-20", priority: "P2" };

  it("offers Create in GitHub in the due DM and the channel's echo until the item has an issue, then shows its link", () => {
    const due = actionItemDue(incident, { ...item, issue: null }, "GitHub");
    expect(checkBlocks(due.blocks, "message")).toBeUndefined();
    expect(JSON.stringify(due.blocks)).toContain('"action_id":"warroom.action_item_export"');
    expect(JSON.stringify(due.blocks)).toContain("Create in GitHub");
    const linked = actionItemDue(incident, { ...item, issue: { kind: "jira", key: "OPS-4", url: "https://acme.atlassian.net/browse/OPS-4" } }, "Jira");
    expect(JSON.stringify(linked.blocks)).not.toContain("warroom.action_item_export");
    expect(linked.text).toContain("Jira OPS-4");
    expect(JSON.stringify(linked.blocks)).toContain("<https://acme.atlassian.net/browse/OPS-4|Jira OPS-4>");
    expect(JSON.stringify(actionItemEcho(incident, { ...item, issue: null }, "U0AL", "Linear").blocks)).toContain("Create in Linear");
    expect(JSON.stringify(actionItemEcho(incident, { ...item, issue: null }, "U0AL").blocks)).not.toContain("warroom.action_item_export");
  });

  it("in /incident info: the link on the line, and a button for each open item without one", () => {
    const view = infoMessage(incident, DEFAULT_SEVERITIES[1]!, new Date(), [
      { id: 1, number: 1, text: "Exported", ownerId: null, due: null, priority: "P2", done: false, issue: { kind: "github", key: "#3", url: "https://github.com/acme/platform/issues/3" } },
      { id: 2, number: 2, text: "Not yet", ownerId: null, due: null, priority: "P2", done: false, issue: null },
      { id: 3, number: 3, text: "Done already", ownerId: null, due: null, priority: "P2", done: true, issue: null },
    ], [], undefined, "GitHub");
    expect(checkBlocks(view.blocks, "message")).toBeUndefined();
    const text = JSON.stringify(view.blocks);
    expect(text).toContain("<https://github.com/acme/platform/issues/3|GitHub #3>");
    const actions = (view.blocks as { type: string; elements?: { value: string; text: { text: string } }[] }[]).filter((b) => b.type === "actions").flatMap((b) => b.elements ?? []);
    expect(actions.map((e) => [e.value, e.text.text])).toEqual([["2", "Create #2 in GitHub"]]);
  });
});
