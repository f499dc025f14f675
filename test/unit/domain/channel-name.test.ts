// Channel names: <prefix>-YYYY-MM-DD-<slug> in Slack's alphabet, ≤ 80 characters, dated in the
// configured zone, falling back to the incident number, -2/-3 on collisions.

import { DateTime } from "luxon";
import { describe, expect, it } from "vitest";
import { channelName, isValidChannelName, MAX_CHANNEL_NAME, slugify } from "../../../src/domain/channel-name.ts";

const at = DateTime.fromISO("2026-01-31T14:23:00", { zone: "UTC" });
const name = (title: string, extra: Partial<Parameters<typeof channelName>[0]> = {}) =>
  channelName({ prefix: "inc", declaredAt: at, title, number: 42, ...extra });

describe("channelName", () => {
  it("makes the framework's example from a normal title", () => {
    expect(name("Database outage")).toBe("inc-2026-01-31-database-outage");
  });

  it.each([
    ["Checkout errors spiking!!", "checkout-errors-spiking"],
    ["  API   5xx  ", "api-5xx"],
    ["Café crème déjà vu", "cafe-creme-deja-vu"],
    ["Straße / Øresund / Łódź", "strasse-oresund-lodz"],
    ["under_score & dots.v2", "under-score-dots-v2"],
    ["<!channel> <@U123> pinged", "channel-u123-pinged"],
    ["UPPER lower MiXeD", "upper-lower-mixed"],
  ])("slugs %j as %j", (title, slug) => {
    expect(name(title)).toBe(`inc-2026-01-31-${slug}`);
  });

  it.each(["🔥🔥🔥", "!!!???", "日本語のタイトル", "   ", "—–"])("falls back to the incident number for %j", (title) => {
    expect(name(title)).toBe("inc-2026-01-31-inc-42");
  });

  it("fits a 200-character title into 80 characters, cut at a word", () => {
    const title = "Payment processing failing for European customers after the latest deploy of the billing service ".repeat(2).slice(0, 200);
    const n = name(title);
    expect(n.length).toBeLessThanOrEqual(MAX_CHANNEL_NAME);
    expect(n).toMatch(/^inc-2026-01-31-payment-processing-failing-for-european-customers-after/);
    expect(n.endsWith("-")).toBe(false);
    expect(isValidChannelName(n)).toBe(true);
  });

  it("cuts a single enormous word hard rather than losing it", () => {
    const n = name("a".repeat(200));
    expect(n).toBe(`inc-2026-01-31-${"a".repeat(80 - 15)}`);
  });

  it.each([2, 3, 10, 100])("appends -%i on a collision, keeping within 80 characters", (attempt) => {
    expect(name("Database outage", { attempt })).toBe(`inc-2026-01-31-database-outage-${attempt}`);
    const long = name("x".repeat(200), { attempt });
    expect(long.length).toBe(80);
    expect(long.endsWith(`-${attempt}`)).toBe(true);
  });

  it("dates the channel in the configured time zone, not UTC", () => {
    const lateUtc = DateTime.fromISO("2026-01-31T23:30:00Z");
    expect(name("x", { declaredAt: lateUtc.setZone("Asia/Tokyo") })).toBe("inc-2026-02-01-x");
    expect(name("x", { declaredAt: lateUtc.setZone("America/Los_Angeles") })).toBe("inc-2026-01-31-x");
  });

  it("uses the configured prefix", () => {
    expect(name("db", { prefix: "incident" })).toBe("incident-2026-01-31-db");
  });

  it("always produces a name Slack accepts", () => {
    const titles = ["", "a", "-", "🔥 fire", "x".repeat(500), "ÀÉÎÕÜ", "a--b__c", "<script>alert(1)</script>", "\u202Eevil"];
    for (const t of titles) {
      for (const attempt of [1, 2, 99]) expect(isValidChannelName(name(t, { attempt }))).toBe(true);
    }
  });
});

describe("slugify", () => {
  it("collapses runs and trims hyphens", () => {
    expect(slugify("--a  -- b--")).toBe("a-b");
  });
});

describe("isValidChannelName", () => {
  it.each([
    ["inc-2026-01-31-x", true],
    ["Has-Upper", false],
    ["with space", false],
    ["---", false],
    ["", false],
    ["x".repeat(81), false],
    ["x".repeat(80), true],
  ])("%j → %s", (n, ok) => {
    expect(isValidChannelName(n)).toBe(ok);
  });
});
