// The /incident grammar: every sub-command, its aliases, and the refusal for each way of getting it wrong.

import { describe, expect, it } from "vitest";
import { type Command, parseCommand, type ParseResult } from "../../../src/domain/commands.ts";
import { DEFAULT_SEVERITIES } from "../../../src/domain/severity.ts";

const parse = (text: string) => parseCommand(text, DEFAULT_SEVERITIES);
const ok = (text: string): Command => {
  const r = parse(text);
  if (!r.ok) throw new Error(`expected ok for ${JSON.stringify(text)}, got: ${r.error}`);
  return r.command;
};
const refusal = (text: string): Extract<ParseResult, { ok: false }> => {
  const r = parse(text);
  if (r.ok) throw new Error(`expected a refusal for ${JSON.stringify(text)}`);
  return r;
};

describe("help and unknown", () => {
  it.each(["", "   ", "help", "HELP", "?"])("%j is help", (t) => {
    expect(ok(t)).toEqual({ kind: "help" });
  });

  it("refuses an unknown sub-command and suggests the closest", () => {
    const r = refusal("delcare sev2 x");
    expect(r.error).toBe('"delcare" is not an /incident sub-command. Did you mean `/incident declare`?');
    expect(r.usage).toContain("/incident help");
  });

  it("does not suggest anything for gibberish", () => {
    expect(refusal("xyzzyplugh").error).toBe('"xyzzyplugh" is not an /incident sub-command.');
  });
});

describe("declare", () => {
  it("without arguments opens the form", () => {
    expect(ok("declare")).toEqual({ kind: "declare" });
  });

  it.each([
    ["declare sev2 Checkout errors spiking", "SEV2", "Checkout errors spiking"],
    ["declare SEV-1 Site down", "SEV1", "Site down"],
    ["declare sev_3   API   slow  ", "SEV3", "API slow"],
    ["DECLARE Sev4 Typo on pricing page", "SEV4", "Typo on pricing page"],
    ["new sev1 Payments broken", "SEV1", "Payments broken"],
  ])("%j declares %s %j", (text, severity, title) => {
    expect(ok(text)).toEqual({ kind: "declare", severity, title });
  });

  it("declares at the default severity when the first word is not a severity, and says so", () => {
    expect(ok("declare Checkout errors spiking")).toEqual({ kind: "declare", title: "Checkout errors spiking", severityDefaulted: true });
  });

  it.each(["declare sev9 Foo", "declare SEV-0 Foo", "declare p7 Foo"])("refuses the unknown severity in %j", (t) => {
    expect(refusal(t).error).toMatch(/^Unknown severity "[^"]+": use one of SEV1, SEV2, SEV3, SEV4\.$/);
  });

  it.each(["declare sev2", "declare sev2    ", "declare sev1 &lt;&gt;".replace(/.*/, "declare sev1 \u200E\u202E")])("refuses an empty title: %j", (t) => {
    expect(refusal(t).error).toMatch(/^The incident needs a title: `\/incident declare sev[12] <title>`, or `\/incident declare` alone to open the form\.$/);
  });

  it("keeps a 200-character title and refuses a longer one", () => {
    const title = "x".repeat(200);
    expect(ok(`declare sev2 ${title}`)).toMatchObject({ title });
    expect(refusal(`declare sev2 ${title}y`).error).toMatch(/^The title is 201 characters long; keep it under 200/);
  });

  it("turns Slack's tokens in a title into plain words, never live mentions", () => {
    expect(ok("declare sev2 <!channel> DB down, ask <@U0123ABC|alice> &amp; <#C0123|ops>")).toMatchObject({
      title: "@channel DB down, ask @alice & #ops",
    });
    expect(ok("declare sev2 &lt;!channel&gt; typed literally")).toMatchObject({ title: "<!channel> typed literally" });
  });

  it("strips control characters and collapses whitespace in a title", () => {
    expect(ok("declare sev2 line\u0007one\nline\ttwo\u202E")).toMatchObject({ title: "lineone line two" });
  });
});

describe("status", () => {
  it.each(["investigating", "identified", "monitoring"])("moves to %s", (s) => {
    expect(ok(`status ${s}`)).toEqual({ kind: "status", status: s });
  });
  it("takes 'mitigated' as monitoring", () => {
    expect(ok("status mitigated")).toEqual({ kind: "status", status: "monitoring" });
  });
  it.each([
    ["status", /^Which status\?/],
    ["status resolved", /^To resolve, use `\/incident resolve \[summary\]`\./],
    ["status closed", /^To close, use `\/incident close`/],
    ["status fixed", /^"fixed" is not a status: use investigating, identified or monitoring\.$/],
  ])("refuses %j", (t, re) => {
    expect(refusal(t).error).toMatch(re);
  });
});

describe("sev", () => {
  it("takes a severity and a reason", () => {
    expect(ok("sev 1 Impact is wider than we thought")).toEqual({ kind: "sev", severity: "SEV1", reason: "Impact is wider than we thought" });
    expect(ok("severity sev-3 Workaround deployed")).toEqual({ kind: "sev", severity: "SEV3", reason: "Workaround deployed" });
  });
  it.each([
    ["sev", /^Which severity\? One of SEV1, SEV2, SEV3, SEV4, then the reason\.$/],
    ["sev 1", /^Say why the severity changes: `\/incident sev sev1 <reason>`/],
    ["sev 9 because", /^Unknown severity "9"/],
  ])("refuses %j", (t, re) => {
    expect(refusal(t).error).toMatch(re);
  });
});

describe("role", () => {
  it.each([
    ["role ic <@U0123ABC|alice>", "ic"],
    ["role commander <@U0123ABC>", "ic"],
    ["role tech <@U0123ABC>", "tech"],
    ["role tech-lead <@U0123ABC>", "tech"],
    ["role comms <@U0123ABC>", "comms"],
    ["role scribe <@U0123ABC>", "scribe"],
    ["role responder <@U0123ABC>", "responder"],
    ["role <@U0123ABC> comms", "comms"],
    ["assign sme <@W0123ABC>", "responder"],
  ])("%j assigns %s", (t, role) => {
    expect(ok(t)).toMatchObject({ kind: "role", role, userId: t.includes("W0123ABC") ? "W0123ABC" : "U0123ABC" });
  });
  it.each([
    ["role", /^Which role, and for whom\?$/],
    ["role boss <@U0123ABC>", /^"boss" is not a role: use ic, tech, comms, scribe or responder\.$/],
    ["role ic", /^Who should be Incident Commander\? Mention them with @\.$/],
    ["role ic @alice", /^"@alice" is not a Slack mention: pick the person from the @ list/],
    ["role ic <@U0123ABC> <@U0456DEF>", /^Mention exactly one person\.$/],
    ["role ic <#C0123|general>", /is not a person: mention them with @\.$/],
  ])("refuses %j", (t, re) => {
    expect(refusal(t).error).toMatch(re);
  });
});

describe("handoff", () => {
  it("takes a person and an optional summary", () => {
    expect(ok("handoff <@U0123ABC|bob>")).toEqual({ kind: "handoff", userId: "U0123ABC" });
    expect(ok("handoff <@U0123ABC> DB failover done, watching replication lag")).toEqual({
      kind: "handoff",
      userId: "U0123ABC",
      summary: "DB failover done, watching replication lag",
    });
  });
  it("refuses without a mention", () => {
    expect(refusal("handoff").error).toMatch(/^Hand Incident Commander to whom\?/);
    expect(refusal("handoff bob please").error).toMatch(/"bob" is not a person/);
  });
});

describe("note, update, resolve, reopen", () => {
  it("keeps real mentions and neutralises broadcasts in free text", () => {
    expect(ok("note asked <@U0123ABC|alice> to check <!here> &amp; <!subteam^S123|@oncall>")).toEqual({
      kind: "note",
      text: "asked <@U0123ABC> to check @here &amp; @oncall",
    });
  });
  it("requires text for note and reopen", () => {
    expect(refusal("note").error).toBe("Add the note's text.");
    expect(refusal("reopen").error).toBe("Add a reason (it goes on the timeline).");
  });
  it("makes text optional for update and resolve (the form opens instead)", () => {
    expect(ok("update")).toEqual({ kind: "update" });
    expect(ok("update Still investigating, next step: roll back")).toEqual({ kind: "update", text: "Still investigating, next step: roll back" });
    expect(ok("resolve")).toEqual({ kind: "resolve" });
    expect(ok("resolve Index recreated")).toEqual({ kind: "resolve", summary: "Index recreated" });
    expect(ok("reopen Errors are back")).toEqual({ kind: "reopen", reason: "Errors are back" });
  });
  it("refuses 10 kB of text with its length", () => {
    expect(refusal(`note ${"x".repeat(10_000)}`).error).toBe("The note's text is 10000 characters long; the limit is 3000.");
  });
});

describe("action", () => {
  it.each([
    ["action Add index validation to migration CI", { text: "Add index validation to migration CI", priority: "P2" }],
    ["action Add index validation <@U0123ABC|alice>", { text: "Add index validation", ownerId: "U0123ABC", priority: "P2" }],
    ["action Update runbook <@U0123ABC> due 2026-12-01", { text: "Update runbook", ownerId: "U0123ABC", due: "2026-12-01", priority: "P2" }],
    ["action Update runbook due 2026-12-01 <@U0123ABC> P1", { text: "Update runbook", ownerId: "U0123ABC", due: "2026-12-01", priority: "P1" }],
    ["action Automate status page due:2027-01-05 p3", { text: "Automate status page", due: "2027-01-05", priority: "P3" }],
  ])("%j", (t, expected) => {
    expect(ok(t)).toEqual({ kind: "action", ...expected });
  });
  it.each([
    ["action", /^What needs doing\?/],
    ["action Fix it due 2026-02-30", /^"2026-02-30" is not a date: write it as YYYY-MM-DD/],
    ["action Fix it due tomorrow", /^"tomorrow" is not a date/],
    ["action Fix it due", /^A due date must follow `due`/],
    ["action <@U0123ABC> due 2026-12-01", /^What needs doing\?/],
  ])("refuses %j", (t, re) => {
    expect(refusal(t).error).toMatch(re);
  });
});

describe("commands without arguments", () => {
  it("knows status-page as statuspage", () => {
    expect(ok("status-page")).toEqual({ kind: "statuspage" });
  });

  it.each(["postmortem", "close", "info", "list", "checklist", "timestamps", "statuspage"])("%s", (k) => {
    expect(ok(k)).toEqual({ kind: k });
    expect(refusal(`${k} please`).error).toBe(`\`/incident ${k}\` takes nothing after it.`);
  });
});
