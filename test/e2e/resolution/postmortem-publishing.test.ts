// Publishing the postmortem when Slack will not take a canvas (a Markdown file instead) or fails, and
// teams' own templates: a template that fails falls back to the built-in one, said in the channel.

import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../../support/harness.ts";
import { canvasOf, type DeclaredIncident, declareFast, FAST_SEVERITIES, says } from "../../support/incidents.ts";
import { until } from "../../support/wait.ts";


let h: Harness;
beforeAll(async () => {
  h = await startHarness({ configYaml: `announce_channel: incidents\n${FAST_SEVERITIES}` });
  h.fake.ws.addChannel("incidents", {});
});
afterAll(async () => {
  await h?.stop();
});

const run = (inc: DeclaredIncident, text: string, user = h.users.alice) => h.slack.command(text, { user: user.id, channel: inc.channel.id });


describe("postmortem publishing that fails or falls back", () => {
  it("uploads a Markdown file when the workspace cannot create canvases", async () => {
    h.fake.ws.canvasesEnabled = false;
    try {
      const inc = (await declareFast(h, "sev3 No canvases here", h.users.alice)).incident;
      await run(inc, "resolve Fixed it");
      const file = await until(() => [...h.fake.ws.files.values()].find((f) => f.channels.includes(inc.channel.id) && f.content), 8000, "the file");
      expect(file.filename).toBe(`postmortem-inc-${inc.number}.md`);
      expect(file.content?.toString("utf8")).toContain("# Postmortem: No canvases here");
      // recorded once Slack has confirmed the upload
      await says(inc, "open the Markdown file");
      const stored = await h.db.postmortem.findUniqueOrThrow({ where: { incidentId: inc.id } });
      expect(stored).toMatchObject({ fileId: file.id, canvasId: null });
    } finally {
      h.fake.ws.canvasesEnabled = true;
    }
  });

  it("still resolves when publishing fails, says so, and /incident postmortem retries", async () => {
    const inc = (await declareFast(h, "sev3 Publishing fails", h.users.alice)).incident;
    h.fake.fail("conversations.canvases.create", { error: "channel_not_found", match: (a) => a.channel_id === inc.channel.id });
    await run(inc, "resolve Fixed anyway");
    expect((await h.db.incident.findUniqueOrThrow({ where: { id: inc.id } })).status).toBe("resolved");
    await says(inc, "could not be published");
    expect((await h.db.postmortem.findUniqueOrThrow({ where: { incidentId: inc.id } })).lastError).toBe("conversations.canvases.create: channel_not_found");
    await run(inc, "postmortem");
    await canvasOf(h, inc);
    expect((await h.db.postmortem.findUniqueOrThrow({ where: { incidentId: inc.id } })).lastError).toBeNull();
  });
});

describe("custom templates", () => {
  let templates: string;
  let t: Harness;
  beforeAll(async () => {
    templates = await fs.mkdtemp(path.join(os.tmpdir(), "warroom-templates-"));
    t = await startHarness({ fake: h.fake, configYaml: `templates_dir: ${templates}\n${FAST_SEVERITIES}`, env: { SECRET_FOR_TEST: "sekrit-value-123" } });
  });
  afterAll(async () => {
    await t?.stop();
    await fs.rm(templates, { recursive: true, force: true });
  });

  async function resolveWith(template: string, title: string): Promise<{ inc: DeclaredIncident; markdown: string }> {
    await fs.writeFile(path.join(templates, "postmortem.md"), template);
    const inc = (await declareFast(t, `sev3 ${title}`, t.users.alice)).incident;
    await t.slack.command("resolve Done", { user: t.users.alice.id, channel: inc.channel.id });
    const canvas = await until(() => (inc.channel.canvasId ? t.fake.ws.canvases.get(inc.channel.canvasId) : undefined), 8000, "the canvas");
    return { inc, markdown: canvas.markdown };
  }

  it("renders the team's own template", async () => {
    const { markdown } = await resolveWith("# {{ incident.number }}: {{ incident.title }}\n{% for e in timeline %}* {{ e.text }}\n{% endfor %}", "Custom template");
    expect(markdown).toMatch(/^# INC-\d+: Custom template\n\* @alice declared a SEV3/);
  });

  it("gives a template no way to reach the process, the environment or code", async () => {
    const { markdown } = await resolveWith(
      "A{{ process.env.SECRET_FOR_TEST }}B{{ process }}C{{ global }}D{{ incident.constructor }}E{{ incident.title.constructor.name }}F{{ timeline.__proto__ }}G{{ 'x' | append: incident.__proto__ }}H",
      "Hostile template",
    );
    // `'x' | append: <nothing>` is "x": the prototype gives nothing
    expect(markdown.trim()).toBe("ABCDEFGxH");
  });

  it("gives a template no file system: an include fails, is reported, and the built-in template is used", async () => {
    const { inc, markdown } = await resolveWith("line one\n{% include '/etc/passwd' %}\n{% render '../../package.json' %}\n", "Include attempt");
    expect(markdown).not.toContain("root:");
    expect(markdown).not.toContain('"name": "warroom"');
    expect(markdown).toContain("# Postmortem: Include attempt");
    const notice = await until(() => inc.channel.messages.find((m) => m.text.includes("Your postmortem template failed")), 8000, "the notice");
    expect(notice.text).toContain(`${path.join(templates, "postmortem.md")}, line 2`);
  });

  it("names the file and line of a broken template, still resolves, and uses the built-in one", async () => {
    const { inc, markdown } = await resolveWith("# Fine\n\nStill fine\n{% if incident.title %}\nnever closed\n", "Broken template");
    expect((await t.db.incident.findUniqueOrThrow({ where: { id: inc.id } })).status).toBe("resolved");
    expect(markdown).toContain("# Postmortem: Broken template");
    const notice = await until(() => inc.channel.messages.find((m) => m.text.includes("Your postmortem template failed")), 8000, "the notice");
    expect(notice.text).toMatch(new RegExp(`${path.join(templates, "postmortem.md").replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}, line 4: .*not closed`));
  });
});
