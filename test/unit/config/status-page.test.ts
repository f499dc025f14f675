// `status_page:`'s schema (the file's reading of it is in test/unit/config.test.ts): the page's
// title, its components (ids once each), its public address and its history's length, each mistake
// at its path with a sentence.

import { describe, expect, it } from "vitest";
import { readStatusPage, statusPageSchema } from "../../../src/config/sections/status-page.ts";

function problem(raw: unknown): { path: string; message: string } {
  const r = statusPageSchema.safeParse(raw);
  if (r.success) throw new Error("expected a problem");
  const issue = r.error.issues[0];
  return { path: (issue?.path ?? []).join("."), message: issue?.message ?? "" };
}

describe("status_page:", () => {
  it("reads the title, the components with their groups, the public address and the history", () => {
    const raw = statusPageSchema.parse({ title: "Acme status", public_url: "https://status.acme.example/", history_days: 30, components: [{ id: "api", name: "API" }, { id: "eu-checkout", name: "Checkout", group: "Europe" }] });
    expect(readStatusPage(raw)).toEqual({
      title: "Acme status",
      publicUrl: "https://status.acme.example",
      historyDays: 30,
      components: [
        { id: "api", name: "API" },
        { id: "eu-checkout", name: "Checkout", group: "Europe" },
      ],
    });
  });

  it("keeps 90 days of history unless told", () => {
    expect(readStatusPage(statusPageSchema.parse({ title: "S", components: [{ id: "api", name: "API" }] })).historyDays).toBe(90);
  });

  it.each([
    [{ components: [{ id: "api", name: "API" }] }, "title", /expected the page's title/],
    [{ title: "S", components: [] }, "components", /at least one component/],
    [{ title: "S", components: [{ id: "API!", name: "API" }] }, "components.0.id", /lowercase letters, digits/],
    [{ title: "S", components: [{ id: "api", name: "A" }, { id: "api", name: "B" }] }, "components.1.id", /"api" is the id of an earlier component/],
    [{ title: "S", components: [{ id: "api" }] }, "components.0.name", /the component's public name/],
    [{ title: "S", components: [{ id: "api", name: "API" }], history_days: 3 }, "history_days", /at least 7 days/],
    [{ title: "S", components: [{ id: "api", name: "API" }], public_url: "status.example.com" }, "public_url", /http\(s\) URL/],
  ])("refuses %j at its key", (raw, at, message) => {
    const p = problem(raw);
    expect(p.path).toBe(at);
    expect(p.message).toMatch(message);
  });

  it("refuses a key it does not know", () => {
    expect(statusPageSchema.safeParse({ title: "S", components: [{ id: "api", name: "API" }], colour: "red" }).success).toBe(false);
  });
});
