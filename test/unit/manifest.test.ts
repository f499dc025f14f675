// manifest.yml is a valid Slack app manifest (checked against Slack's own JSON Schema, copied in
// test/fixtures with its licence) and asks for what the product uses: its command, shortcut, events,
// and the scopes those events and features need.

import fs from "node:fs";
import path from "node:path";
import { Ajv } from "ajv";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { CALLBACK } from "../../src/slack/ids.ts";
import { ROOT } from "../support/bot-process.ts";

const manifest = parse(fs.readFileSync(path.join(ROOT, "manifest.yml"), "utf8")) as Record<string, any>;
const schema = JSON.parse(fs.readFileSync(path.join(ROOT, "test/fixtures/slack-manifest-schema/manifest.schema.1.0.0.json"), "utf8"));

// Scopes Slack requires for each event (docs.slack.dev events index).
const EVENT_SCOPES: Record<string, string[]> = {
  app_home_opened: [],
  pin_added: ["pins:read"],
  reaction_added: ["reactions:read"],
};

describe("manifest.yml", () => {
  it("validates against Slack's manifest schema (v1)", () => {
    const ajv = new Ajv({ strict: false, allErrors: true });
    const validate = ajv.compile(schema);
    const valid = validate(manifest);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it("is checked strictly enough to catch a broken manifest", () => {
    const validate = new Ajv({ strict: false }).compile(schema);
    const broken = structuredClone(manifest);
    broken.features.slash_commands[0].command = "incident";
    broken.settings.interactivity.enabled = true;
    expect(validate(broken)).toBe(false);
  });

  it("declares the /incident command with a usage hint, escaping mentions into tokens", () => {
    const [cmd] = manifest.features.slash_commands;
    expect(cmd.command).toBe("/incident");
    expect(cmd.usage_hint).toMatch(/declare/);
    expect(cmd.should_escape).toBe(true);
    expect(cmd.url).toMatch(/\/slack\/events$/);
  });

  it("declares the 'Add to incident timeline' message shortcut with the callback the bot listens for", () => {
    expect(manifest.features.shortcuts).toEqual([expect.objectContaining({ name: "Add to incident timeline", type: "message", callback_id: CALLBACK.addToTimeline })]);
  });

  it("subscribes to the events the product handles, with the scopes each needs", () => {
    const events: string[] = manifest.settings.event_subscriptions.bot_events;
    expect(events.sort()).toEqual(Object.keys(EVENT_SCOPES).sort());
    const scopes: string[] = manifest.oauth_config.scopes.bot;
    for (const e of events) for (const s of EVENT_SCOPES[e] ?? []) expect(scopes).toContain(s);
  });

  it("points every request URL at the one endpoint, and enables interactivity and the bot user", () => {
    expect(manifest.settings.event_subscriptions.request_url).toMatch(/\/slack\/events$/);
    expect(manifest.settings.interactivity).toMatchObject({ is_enabled: true, request_url: expect.stringMatching(/\/slack\/events$/) });
    expect(manifest.features.bot_user.display_name).toBeTruthy();
    expect(manifest.features.app_home.home_tab_enabled).toBe(true);
  });

  it("asks for no scope twice, and for no user scopes", () => {
    const scopes: string[] = manifest.oauth_config.scopes.bot;
    expect(new Set(scopes).size).toBe(scopes.length);
    expect(manifest.oauth_config.scopes.user).toBeUndefined();
  });
});

describe("package.json", () => {
  it("starts the bot with the same node flags the process tests use", async () => {
    const { START_ENV, START_FLAGS } = await import("../support/bot-process.ts");
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> };
    const env = Object.entries(START_ENV).map(([k, v]) => `${k}=${v} `).join("");
    expect(pkg.scripts.start).toContain(`${env}node ${START_FLAGS.join(" ")} dist/main.js`);
  });
});
