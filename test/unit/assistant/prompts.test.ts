// The prompts: templates parsed at start (a broken one named by file and line), replaceable in
// templates_dir/ai/, split into the system and user messages at <!-- user -->, the channel's
// messages fitted newest first to the budget, and every secret removed from what is sent.

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type PromptData, type PromptMessage, Prompts } from "../../../src/assistant/prompts.ts";
import { ConfigError } from "../../../src/config/errors.ts";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "warroom-prompts-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const data: PromptData = {
  incident: {
    number: "INC-7",
    title: "Checkout errors",
    severity: { id: "SEV2", label: "High" },
    status: "Investigating",
    private: false,
    drill: false,
    declared_at: "2026-01-31 14:23 UTC",
    age: "20 minutes",
    impact: "EU customers cannot pay",
    detection: "",
    status_summary: "",
    channel: "#inc-x",
    cadence: "every 1 hour",
    next_update_due: "2026-01-31 15:23 UTC",
  },
  roles: [{ label: "Incident Commander", people: "@alice" }],
  last_update: null,
  updates: [],
  timeline: [{ at_utc: "2026-01-31 14:23", actor: "", text: "Declared by @alice" }],
  since_utc: "2026-01-31 14:23 UTC",
  now_utc: "2026-01-31 14:43 UTC",
};

const msg = (i: number, text = `message number ${i}`): PromptMessage => ({ at_utc: `2026-01-31 14:${String(i % 60).padStart(2, "0")}`, author: "@bob", text });

function templatesWith(files: Record<string, string>): string {
  const d = fs.mkdtempSync(path.join(dir, "t-"));
  fs.mkdirSync(path.join(d, "ai"));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(d, "ai", name), text);
  return d;
}

describe("the built-in prompts", () => {
  const prompts = new Prompts(path.join(dir, "none"));

  it.each(["catchup", "update", "postmortem"] as const)("%s renders a system and a user message from the record", async (feature) => {
    const p = await prompts.build(feature, data, [msg(1, "rolled back the deploy")], 48_000);
    expect(p.messages.map((m) => m.role)).toEqual(["system", "user"]);
    expect(p.messages[0]?.content).not.toContain("<!-- user -->");
    expect(p.messages[1]?.content).toContain("INC-7");
    expect(p.messages[1]?.content).toContain("Checkout errors");
    expect(p.messages[1]?.content).toContain("rolled back the deploy");
    expect(p.messagesSent).toBe(1);
  });

  it("keeps the newest messages within the budget and says how many older ones were left out", async () => {
    const many = Array.from({ length: 500 }, (_, i) => msg(i, `message number ${i} ${"x".repeat(80)}`));
    const p = await prompts.build("catchup", data, many, 10_000);
    expect(p.chars).toBeLessThanOrEqual(10_000);
    expect(p.messagesSent).toBeGreaterThan(10);
    expect(p.messagesSent + p.messagesOmitted).toBe(500);
    const user = p.messages[1]?.content ?? "";
    expect(user).toContain("message number 499 ");
    expect(user).not.toContain("message number 0 ");
    expect(user).toContain(`${p.messagesOmitted} older ones left out`);
  });

  it("cuts the oldest of a record too long for the budget, so the newest is what the model reads", async () => {
    const timeline = Array.from({ length: 400 }, (_, i) => ({ at_utc: "2026-01-31 14:23", actor: "@bob", text: `timeline entry ${i} ${"y".repeat(60)}` }));
    const p = await prompts.build("postmortem", { ...data, timeline }, [], 8_000);
    const user = p.messages[1]?.content ?? "";
    expect(p.chars).toBeLessThanOrEqual(8_000);
    expect(user).toContain("timeline entry 399 ");
    expect(user).not.toContain("timeline entry 0 ");
  });

  it("removes secrets from the messages and from the record before anything is sent", async () => {
    const token = ["xo", "xb-1234567890-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx"].join("");
    const withSecret: PromptData = { ...data, incident: { ...data.incident, impact: "password=hunter2hunter2" } };
    const p = await prompts.build("catchup", withSecret, [msg(1, `the token is ${token}`), msg(2, "postgres://app:pa55word@db/app")], 48_000);
    const all = p.messages.map((m) => m.content).join("\n");
    expect(all).not.toContain(token);
    expect(all).not.toContain("hunter2hunter2");
    expect(all).not.toContain("pa55word");
    expect(all).toContain("[redacted Slack token]");
    expect(p.secretsRemoved).toBe(3);
  });
});

describe("a team's own prompts", () => {
  it("are used from templates_dir/ai/, the others staying built in", async () => {
    const d = templatesWith({ "catchup.md": "Be brief.\n<!-- user -->\n{{ incident.number }} has {{ messages.size }} messages" });
    const prompts = new Prompts(d);
    expect(prompts.fileOf("catchup")).toBe(path.join(d, "ai", "catchup.md"));
    expect(prompts.fileOf("update")).toMatch(/templates[/\\]ai[/\\]update\.md$/);
    const p = await prompts.build("catchup", data, [msg(1), msg(2)], 48_000);
    expect(p.messages).toEqual([
      { role: "system", content: "Be brief." },
      { role: "user", content: "INC-7 has 2 messages" },
    ]);
  });

  it("that do not parse stop the start, naming the file and the line", () => {
    const d = templatesWith({ "update.md": "Line one\n<!-- user -->\n{% if incident.title %}\nno end" });
    expect(() => new Prompts(d)).toThrow(ConfigError);
    expect(() => new Prompts(d)).toThrow(new RegExp(`${path.join(d, "ai", "update.md").replace(/[.\\/]/g, "\\$&")}, line \\d: the assistant's prompt does not parse`));
  });

  it("without the <!-- user --> line are refused", () => {
    const d = templatesWith({ "postmortem.md": "Everything in one part {{ incident.number }}" });
    expect(() => new Prompts(d)).toThrow(/postmortem\.md: the assistant's prompt has no <!-- user --> line/);
  });

  it("cannot reach outside their data", async () => {
    const d = templatesWith({ "catchup.md": "s\n<!-- user -->\n[{{ process.env.HOME }}][{{ incident.constructor.name }}]" });
    const p = await new Prompts(d).build("catchup", data, [], 48_000);
    expect(p.messages[1]?.content).toBe("[][]");
  });
});
