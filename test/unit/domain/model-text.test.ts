// What a model answers is untrusted: the neutraliser makes it inert for Slack and for the postmortem
// document, and the two parsers take what the bot needs out of it (a drafted update's status, the
// postmortem's two sections).

import { describe, expect, it } from "vitest";
import { draftedStatus, neutraliseModelText, postmortemSections } from "../../../src/domain/assistant/model-text.ts";

const J = "\u2060";

describe("neutraliseModelText", () => {
  it.each([
    ["<!channel> look", "channel look"],
    ["<!here|here> now", "here now"],
    ["<!subteam^S123|@oncall> ping", "@oncall ping"],
    ["ask <@U0123ABC>", "ask someone"],
    ["ask <@U0123ABC|alice>", "ask alice"],
    ["in <#C0123ABC|general>", "in #general"],
    ["in <#C0123ABC>", "in a channel"],
  ])("makes a Slack token inert: %s", (raw, plain) => {
    const out = neutraliseModelText(raw, "plain", 1000);
    expect(out).not.toMatch(/<[!@#]/);
    expect(out.replaceAll(J, "")).toBe(plain);
  });

  it("breaks @channel, @here, @everyone and @name so nobody is pinged", () => {
    const out = neutraliseModelText("@channel @here @Everyone and @alice, (@bob)", "mrkdwn", 1000);
    expect(out).toBe(`@${J}channel @${J}here @${J}Everyone and @${J}alice, (@${J}bob)`);
  });

  it("keeps links only as text: a label never hides where it points", () => {
    expect(neutraliseModelText("see <https://evil.example/a|the runbook>", "plain", 1000)).toBe("see the runbook (https://evil.example/a)");
    expect(neutraliseModelText("see [the runbook](https://evil.example/a)", "markdown", 1000)).toBe("see the runbook (https://evil.example/a)");
    expect(neutraliseModelText("![tracker](https://evil.example/pixel.gif) done", "markdown", 1000)).toBe("tracker done");
  });

  it("escapes what Slack would read as markup (mrkdwn), and leaves & alone in Markdown", () => {
    expect(neutraliseModelText("a < b & c > d", "mrkdwn", 1000)).toBe("a &lt; b &amp; c &gt; d");
    expect(neutraliseModelText("a < b & c", "markdown", 1000)).toBe("a &lt; b & c");
    expect(neutraliseModelText("a < b & c", "plain", 1000)).toBe("a < b & c");
  });

  it("drops control and direction characters and unwraps an outer code fence", () => {
    expect(neutraliseModelText("```markdown\nhello\u202e world\u0007\n```", "plain", 1000)).toBe("hello world");
  });

  it("caps the length at a word, with an ellipsis", () => {
    const out = neutraliseModelText("word ".repeat(100), "plain", 50);
    expect(out.length).toBeLessThanOrEqual(50);
    expect(out.endsWith("…")).toBe(true);
  });

  it("gives nothing back for an answer with nothing in it", () => {
    expect(neutraliseModelText("  \n\u200e\u0000 ", "mrkdwn", 100)).toBe("");
    expect(neutraliseModelText("```\n\n```", "mrkdwn", 100)).toBe("");
  });
});

describe("draftedStatus", () => {
  it.each([
    ["Status: Identified\nImpact: x", "identified", "Impact: x"],
    ["**Status:** Monitoring\nImpact: x", "monitoring", "Impact: x"],
    ["status: investigating.\nImpact: x", "investigating", "Impact: x"],
  ])("takes the status line out: %s", (text, status, rest) => {
    expect(draftedStatus(text)).toEqual({ status, text: rest });
  });

  it.each(["Status: Resolved\nImpact: x", "Impact: x\nStatus: Identified", "Status: Unknown"])("leaves the text whole when there is no open status first: %s", (text) => {
    expect(draftedStatus(text)).toEqual({ text });
  });
});

describe("postmortemSections", () => {
  it("reads the two sections, whatever the heading level, and flattens headings inside them", () => {
    const r = postmortemSections("Here you go.\n# Summary\nIt broke.\n\n### Narrative:\nFirst.\n## Details\nThen.");
    expect(r).toEqual({ summary: "It broke.", narrative: "First.\n**Details**\nThen." });
  });

  it.each(["## Summary\nIt broke.", "## Narrative\nFirst.", "## Summary\n\n## Narrative\nFirst.", "It broke. Then it was fixed."])("is undefined without both sections: %s", (text) => {
    expect(postmortemSections(text)).toBeUndefined();
  });
});
