// The postmortem renderer: Liquid in a sandbox. Templates can read the data and nothing else; a
// runaway template is stopped; a broken one is named by file and line.

import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { PostmortemData } from "../../../src/postmortem/data.ts";
import { BUILTIN_TEMPLATE, loadTemplate, renderPostmortem, renderTemplate, TemplateError } from "../../../src/postmortem/render.ts";

const data: PostmortemData = {
  incident: {
    number: "INC-7",
    title: "Checkout | errors",
    severity: { id: "SEV2", label: "High" },
    severity_changes: [],
    private: false,
    channel: "#inc-x",
    declared_by: "@alice",
    declared_at: "2026-01-31 14:23 UTC",
    declared_at_local: "2026-01-31 15:23 CET",
    resolved_at: "",
    resolved_at_local: "",
    duration: "ongoing (5 minutes so far)",
    date: "2026-01-31",
    summary: "",
    impact: "",
    detection: "",
    root_cause: "",
    timestamps: [{ label: "Detected", key: "detected_at", at_utc: "2026-01-31 14:23 UTC", source: "auto" }],
    durations: [{ label: "Time to resolve", key: "time_to_resolve", value: "1 hour", seconds: 3600 }],
    punctuality: "100% (1 of 1 updates due were on time)",
  },
  roles: [{ label: "Incident Commander", people: "@alice" }],
  timeline: [{ at_utc: "2026-01-31 14:23", actor: "", text: "declared", link: "" }],
  updates: [],
  action_items: [],
  checklist: { done: 1, total: 2, phases: [{ name: "Detection", items: [{ text: "Acknowledge alert or report", done: true, by: "Warroom", at_utc: "2026-01-31 14:23" }, { text: "Assess initial impact", done: false, by: "", at_utc: "" }] }] },
  alerts: [],
  generated_at: "2026-01-31 14:28 UTC",
  timezone: "Europe/Paris",
  ai: null,
};

const render = (source: string) => renderTemplate(source, "t.md", data);

describe("the sandbox", () => {
  it("renders the data", async () => {
    expect(await render("{{ incident.number }} {{ incident.title }} {% for r in roles %}{{ r.people }}{% endfor %}")).toBe("INC-7 Checkout | errors @alice\n");
  });

  it.each([
    "{{ process.env.HOME }}",
    "{{ globalThis }}",
    "{{ incident.constructor.name }}",
    "{{ incident.title.constructor }}",
    "{{ roles.__proto__ }}",
    "{{ roles.constructor.constructor }}",
    "{{ this }}",
  ])("yields nothing for %s", async (expr) => {
    expect(await render(`[${expr}]`)).toBe("[]\n");
  });

  it.each(["{% include 'other.md' %}", "{% render '/etc/passwd' %}", "{% layout 'x' %}{% block a %}{% endblock %}"])("has no files: %s fails", async (tag) => {
    await expect(render(tag)).rejects.toBeInstanceOf(TemplateError);
  });

  it("stops a runaway loop", async () => {
    await expect(render("{% for i in (1..100000000) %}{% for j in (1..100000000) %}x{% endfor %}{% endfor %}")).rejects.toBeInstanceOf(TemplateError);
  });

  it("stops a memory bomb", async () => {
    await expect(render(`{% assign s = "xxxxxxxxxx" %}{% for i in (1..40) %}{% assign s = s | append: s %}{% endfor %}{{ s | size }}`)).rejects.toBeInstanceOf(TemplateError);
  });

  it("refuses unknown filters rather than printing nothing", async () => {
    await expect(render("{{ incident.title | shell_exec }}")).rejects.toThrow(/shell_exec/);
  });

  it("names the file and the line of a syntax error", async () => {
    const err = await renderTemplate("ok\nok\n{% if x %}\nnever closed", "/templates/postmortem.md", data).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TemplateError);
    expect(err).toMatchObject({ file: "/templates/postmortem.md", line: 3 });
    expect((err as Error).message).toMatch(/^\/templates\/postmortem\.md, line 3: /);
  });
});

describe("choosing the template", () => {
  it("uses the built-in template when templates_dir has none, and the team's when it does", async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "warroom-tpl-"));
    expect((await loadTemplate(dir)).builtin).toBe(true);
    await fs.writeFile(path.join(dir, "postmortem.md"), "custom {{ incident.number }}");
    expect(await renderPostmortem(dir, data)).toEqual({ markdown: "custom INC-7\n", template: path.join(dir, "postmortem.md") });
    await fs.writeFile(path.join(dir, "postmortem.md"), "{% unless %}");
    const fallback = await renderPostmortem(dir, data);
    expect(fallback.template).toBe("built-in");
    expect(fallback.fallback?.file).toBe(path.join(dir, "postmortem.md"));
    expect(fallback.markdown).toContain("# Postmortem: Checkout | errors");
    await fs.rm(dir, { recursive: true });
  });

  it("renders the built-in template for an incident with nothing in it yet", async () => {
    const md = (await renderPostmortem(path.dirname(BUILTIN_TEMPLATE), data)).markdown;
    expect(md).toContain("_2–3 sentences: what happened");
    expect(md).toContain("| | _Every action item has an owner and a due date");
    expect(md).not.toMatch(/\n{3,}/);
  });
});
