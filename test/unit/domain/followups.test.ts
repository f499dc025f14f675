// The follow-ups' plain data: the marker found for exactly its item, the title cut to what every
// tracker takes, the labels, the postmortem's file name and its front matter.

import { describe, expect, it } from "vitest";
import { hasMarker, issueBody, issueLabels, issueTitle, itemMarker, postmortemDocument, postmortemFilePath, TITLE_MAX } from "../../../src/domain/followups.ts";
import { hmacValid, parseGithub, parseJira, parseLinear } from "../../../src/edge/hooks/trackers.ts";
import { createHmac } from "node:crypto";

describe("the marker", () => {
  it("is found for its item only, wherever the line is", () => {
    expect(hasMarker(`text\n${itemMarker(12)}`, 12)).toBe(true);
    expect(hasMarker(`text\n${itemMarker(12)}`, 1)).toBe(false);
    expect(hasMarker(`text\n${itemMarker(1)}`, 12)).toBe(false);
    expect(hasMarker(itemMarker(123), 12)).toBe(false);
    expect(hasMarker(`x not-warroom-action-item: 12`, 12)).toBe(false);
    expect(hasMarker(null, 12)).toBe(false);
  });

  it("ends every body, after the incident, owner and due date", () => {
    const body = issueBody({ itemId: 7, itemNumber: 2, text: "Add a canary", incidentRef: "INC-4", incidentTitle: "Checkout down", severity: "SEV1", channelUrl: "https://x.slack.com/archives/C1", postmortemUrl: null, ownerName: "Bob", ownerUnmatched: true, due: "2026-12-20", priority: "P1" });
    expect(body.split("\n").at(-1)).toBe("warroom-action-item: 7");
    expect(body).toContain("- Owner: Bob (no account here with their e-mail)");
    expect(body).toContain("- Postmortem: not drafted yet");
  });
});

describe("titles and labels", () => {
  it("puts the text on one line, cut with an ellipsis", () => {
    expect(issueTitle("  a\n b  ")).toBe("a b");
    expect(issueTitle("x".repeat(400))).toHaveLength(TITLE_MAX);
    expect(issueTitle("   ")).toBe("Action item");
  });
  it("adds the severity in lower case once", () => {
    expect(issueLabels(["incident", "sev1"], "SEV1")).toEqual(["incident", "sev1"]);
    expect(issueLabels([], "P0")).toEqual(["p0"]);
  });
});

describe("the postmortem in git", () => {
  it("is named <path>/<date>-inc-<n>-<slug>.md", () => {
    expect(postmortemFilePath("docs/pm", "2026-12-07", 12, "Checkout: café down!")).toBe("docs/pm/2026-12-07-inc-12-checkout-cafe-down.md");
    expect(postmortemFilePath("", "2026-12-07", 3, "!!!")).toBe("2026-12-07-inc-3-incident.md");
  });
  it("carries a front matter whose title stays one YAML string", () => {
    const doc = postmortemDocument("# Postmortem", { ref: "INC-1", title: 'a "b"\nc: d', severity: "SEV1", status: "closed", declaredAt: new Date("2026-12-07T10:00:00Z"), resolvedAt: null, closedAt: null, channelUrl: null });
    expect(doc.split("\n").slice(0, 3)).toEqual(["---", "incident: INC-1", 'title: "a \\"b\\"\\nc: d"']);
    expect(doc).toContain("status: closed\n");
    expect(doc.endsWith("# Postmortem\n")).toBe(true);
  });
});

describe("the trackers' webhooks, read", () => {
  const raw = Buffer.from('{"a":1}');
  const sig = createHmac("sha256", "s").update(raw).digest("hex");
  it("checks signatures in their forms", () => {
    expect(hmacValid(`sha256=${sig}`, raw, "s", true)).toBe(true);
    expect(hmacValid(sig, raw, "s", false)).toBe(true);
    expect(hmacValid(sig, raw, "s", true)).toBe(false);
    expect(hmacValid(`sha256=${sig}`, raw, "t", true)).toBe(false);
    expect(hmacValid(undefined, raw, "s", true)).toBe(false);
  });
  it("reads GitHub's closed and reopened, and ignores the rest", () => {
    const e = (action: string) => ({ action, issue: { number: 4, state: "closed" }, repository: { full_name: "Acme/Platform" }, sender: { login: "octo" } });
    expect(parseGithub("issues", e("closed"), "acme/platform")).toEqual({ ok: true, event: { kind: "change", change: { kind: "github", issueId: "4", state: "done", by: "octo" } } });
    expect(parseGithub("issues", e("reopened"), "acme/platform")).toMatchObject({ event: { change: { state: "open" } } });
    expect(parseGithub("issues", e("labeled"), "acme/platform")).toMatchObject({ event: { kind: "ignored" } });
    expect(parseGithub("ping", {}, "acme/platform")).toMatchObject({ event: { kind: "ignored" } });
    expect(parseGithub("issues", { action: "closed" }, "acme/platform")).toEqual({ ok: false, message: "issue: expected the issue" });
  });
  it("reads Jira's status changes by their category", () => {
    const e = (key: string, changed = true) => ({ webhookEvent: "jira:issue_updated", issue: { id: "10001", fields: { status: { statusCategory: { key } } } }, changelog: { items: changed ? [{ field: "status" }] : [{ field: "summary" }] }, user: { displayName: "Jane" } });
    expect(parseJira(e("done"))).toMatchObject({ event: { change: { kind: "jira", issueId: "10001", state: "done", by: "Jane" } } });
    expect(parseJira(e("indeterminate"))).toMatchObject({ event: { change: { state: "open" } } });
    expect(parseJira(e("done", false))).toMatchObject({ event: { kind: "ignored" } });
  });
  it("reads Linear's state changes, refusing a delivery more than a minute off", () => {
    const now = new Date("2026-12-07T10:00:00Z");
    const e = (type: string, at = now.getTime()) => ({ action: "update", type: "Issue", data: { id: "u1", state: { type } }, updatedFrom: { stateId: "s0" }, webhookTimestamp: at, actor: { name: "Lin" } });
    expect(parseLinear(e("completed"), now)).toMatchObject({ event: { change: { kind: "linear", issueId: "u1", state: "done", by: "Lin" } } });
    expect(parseLinear(e("started"), now)).toMatchObject({ event: { change: { state: "open" } } });
    expect(parseLinear(e("completed", now.getTime() - 120_000), now)).toMatchObject({ ok: false });
  });
});
