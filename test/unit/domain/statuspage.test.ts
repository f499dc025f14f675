// The status page, the pure part: what the form proposes, what components show, the marker that
// finds the bot's own public incident again, and when a publication would say nothing new.

import { describe, expect, it } from "vitest";
import { STATUSES } from "../../../src/domain/lifecycle.ts";
import { componentStatus, isMarked, marker, PUBLIC_IMPACTS, PUBLIC_STATUSES, proposedImpact, proposedStatus, type Publication, saysTheSame } from "../../../src/domain/statuspage.ts";

describe("what the form proposes", () => {
  it.each([
    ["investigating", "investigating"],
    ["identified", "identified"],
    ["monitoring", "monitoring"],
    ["resolved", "resolved"],
    ["closed", "resolved"],
  ] as const)("an incident %s is proposed as %s", (status, expected) => {
    expect(proposedStatus(status)).toBe(expected);
  });

  it("covers every status of the lifecycle", () => {
    for (const s of STATUSES) expect(PUBLIC_STATUSES).toContain(proposedStatus(s));
  });

  it.each([
    [0, "critical"],
    [1, "major"],
    [2, "minor"],
    [3, "none"],
    [9, "none"],
    [-1, "critical"],
  ] as const)("the severity at rank %i proposes %s impact (an unknown one rounds up)", (rank, impact) => {
    expect(proposedImpact(rank)).toBe(impact);
  });
});

describe("component statuses", () => {
  it.each([
    ["critical", "major_outage"],
    ["major", "partial_outage"],
    ["minor", "degraded_performance"],
    ["none", "degraded_performance"],
  ] as const)("%s impact shows the components as %s while open", (impact, status) => {
    for (const s of ["investigating", "identified", "monitoring"] as const) expect(componentStatus(impact, s)).toBe(status);
  });

  it("shows them operational once resolved, whatever the impact", () => {
    for (const i of PUBLIC_IMPACTS) expect(componentStatus(i, "resolved")).toBe("operational");
  });
});

describe("the marker", () => {
  const id = "0b9c6f4e-3a1d-4c2b-9e8f-7a6b5c4d3e2f";
  it("is found on the incident it names, and no other", () => {
    expect(isMarked(marker(id), id)).toBe(true);
    expect(isMarked(marker(id), "another")).toBe(false);
    expect(isMarked({ warroom: { incident_id: id }, other: { x: 1 } }, id)).toBe(true);
  });

  it.each([[undefined], [null], ["text"], [{}], [{ warroom: null }], [{ warroom: "x" }], [{ warroom: { incident: "x" } }], [[id]]])("is not read from %j", (metadata) => {
    expect(isMarked(metadata, id)).toBe(false);
  });
});

describe("saysTheSame", () => {
  const p: Publication = { name: "Checkout failing", status: "identified", body: "We found it.", impact: "major", componentIds: ["a", "b"] };
  const same = { name: "Checkout failing", status: "identified", body: "We found it.", impact: "major", componentIds: ["b", "a"] };

  it("is true when title, status, latest message, impact and components match (spaces and order aside)", () => {
    expect(saysTheSame(same, p)).toBe(true);
    expect(saysTheSame({ ...same, name: "  Checkout   failing ", body: "We found it.\n" }, p)).toBe(true);
  });

  it.each([
    ["name", { name: "Checkout slow" }],
    ["status", { status: "monitoring" }],
    ["body", { body: "Still looking." }],
    ["no body yet", { body: null }],
    ["impact", { impact: "minor" }],
    ["no impact", { impact: null }],
    ["components", { componentIds: ["a"] }],
  ])("is false when the %s differs", (_what, change) => {
    expect(saysTheSame({ ...same, ...change }, p)).toBe(false);
  });

  it("treats a missing impact as none", () => {
    expect(saysTheSame({ ...same, impact: null }, { ...p, impact: "none" })).toBe(true);
  });
});
