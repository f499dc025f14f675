// Turning the assistant on: AI_BASE_URL with AI_MODEL (AI_API_KEY optional), each mistake one line
// naming the variable and never echoing a key; `ai:` in the file with its defaults and its rules.

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../../src/config/index.ts";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "warroom-ai-config-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const BASE = { SLACK_BOT_TOKEN: "xoxb-1-2-abc", SLACK_SIGNING_SECRET: "s3cret", INCIDENT_CONFIG: path.join(dir, "empty.yml") };
fs.writeFileSync(BASE.INCIDENT_CONFIG, "");

function withFile(yaml: string): Record<string, string> {
  const file = path.join(dir, `c${Math.random().toString(36).slice(2)}.yml`);
  fs.writeFileSync(file, yaml);
  return { ...BASE, INCIDENT_CONFIG: file };
}

function problem(env: Record<string, string | undefined>): string {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    const message = (err as Error).message;
    expect(message).not.toContain("\n");
    return message;
  }
  throw new Error("expected a configuration error");
}

describe("AI_BASE_URL, AI_MODEL, AI_API_KEY", () => {
  it("leaves the assistant off when none is set", () => {
    expect(loadConfig(BASE).assistant).toBeUndefined();
  });

  it("turns it on with a URL and a model, the key optional, the trailing slash dropped", () => {
    expect(loadConfig({ ...BASE, AI_BASE_URL: "http://localhost:11434/v1/", AI_MODEL: "llama3.1" }).assistant).toEqual({ baseUrl: "http://localhost:11434/v1", model: "llama3.1" });
    expect(loadConfig({ ...BASE, AI_BASE_URL: "https://api.openai.com/v1", AI_MODEL: "gpt-4o-mini", AI_API_KEY: "sk-abc" }).assistant).toEqual({ baseUrl: "https://api.openai.com/v1", model: "gpt-4o-mini", apiKey: "sk-abc" });
  });

  it("names what is missing or wrong, one line each", () => {
    expect(problem({ ...BASE, AI_BASE_URL: "http://localhost:11434/v1" })).toMatch(/^AI_MODEL is not set, but AI_BASE_URL is/);
    expect(problem({ ...BASE, AI_MODEL: "llama3.1" })).toMatch(/^AI_MODEL is set but AI_BASE_URL is not/);
    expect(problem({ ...BASE, AI_API_KEY: "sk-secret-value" })).toMatch(/^AI_API_KEY is set but AI_BASE_URL is not/);
    expect(problem({ ...BASE, AI_BASE_URL: "localhost:11434", AI_MODEL: "x" })).toMatch(/^AI_BASE_URL must be an http\(s\) URL/);
    expect(problem({ ...BASE, AI_BASE_URL: "ftp://models.example/v1", AI_MODEL: "x" })).toMatch(/^AI_BASE_URL must be an http\(s\) URL/);
    expect(problem({ ...BASE, AI_BASE_URL: "https://u:p@models.example/v1", AI_MODEL: "x" })).toBe("AI_BASE_URL must not carry a user or password: put the key in AI_API_KEY");
    expect(problem({ ...BASE, AI_BASE_URL: "https://models.example/v1", AI_MODEL: "gpt 4" })).toMatch(/^AI_MODEL must be a model's name without spaces/);
  });

  it("never echoes the key", () => {
    const message = problem({ ...BASE, AI_BASE_URL: "https://models.example/v1", AI_MODEL: "x", AI_API_KEY: "sk-abc def-secret" });
    expect(message).toMatch(/^AI_API_KEY contains whitespace/);
    expect(message).not.toContain("secret");
  });
});

describe("ai: in the file", () => {
  it("defaults to 48000 characters and no private incidents", () => {
    expect(loadConfig(BASE).incident.ai).toEqual({ maxInputChars: 48_000, includePrivate: false });
  });

  it("reads both keys", () => {
    expect(loadConfig(withFile("ai:\n  max_input_chars: 12000\n  include_private: true\n")).incident.ai).toEqual({ maxInputChars: 12_000, includePrivate: true });
  });

  it.each([
    ["ai:\n  max_input_chars: 100\n", /ai\.max_input_chars.*at least 2000/],
    ["ai:\n  max_input_chars: twelve\n", /ai\.max_input_chars.*expected a number of characters/],
    ["ai:\n  include_private: yes please\n", /ai\.include_private.*true or false/],
    ["ai:\n  model: gpt-4o\n", /ai.*model/],
  ])("refuses %j", (yaml, message) => {
    expect(problem(withFile(yaml))).toMatch(message);
  });
});
