import { describe, expect, it } from "vitest";
import { compareSeverity, DEFAULT_SEVERITIES, defaultSeverity, findSeverity, requireSeverity, type SeverityLadder } from "../../../src/domain/severity.ts";

const SEV0: SeverityLadder = ["SEV0", "SEV1", "SEV2", "SEV3"].map((id) => ({ ...requireSeverity([], id), label: id }));

describe("findSeverity", () => {
  it.each(["sev1", "SEV1", "sev-1", "SEV-1", "Sev_1", "sev 1", "1"])("finds SEV1 from %j", (t) => {
    expect(findSeverity(DEFAULT_SEVERITIES, t)?.id).toBe("SEV1");
  });

  it.each(["sev5", "sev0", "critical", "", "s1x", "11"])("finds nothing for %j", (t) => {
    expect(findSeverity(DEFAULT_SEVERITIES, t)).toBeUndefined();
  });

  it("works with a configured SEV0 ladder", () => {
    expect(findSeverity(SEV0, "sev0")?.id).toBe("SEV0");
    expect(findSeverity(SEV0, "0")?.id).toBe("SEV0");
  });
});

describe("defaultSeverity (when in doubt, round up)", () => {
  it("is the highest that is not the top: SEV2 by default", () => {
    expect(defaultSeverity(DEFAULT_SEVERITIES).id).toBe("SEV2");
  });
  it("is SEV1 on a SEV0 ladder", () => {
    expect(defaultSeverity(SEV0).id).toBe("SEV1");
  });
  it("is the only one on a ladder of one", () => {
    expect(defaultSeverity([DEFAULT_SEVERITIES[0]!]).id).toBe("SEV1");
  });
});

describe("compareSeverity", () => {
  it.each([
    ["SEV3", "SEV1", "escalate"],
    ["SEV1", "SEV4", "deescalate"],
    ["SEV2", "SEV2", "same"],
    ["RETIRED", "SEV4", "escalate"],
    ["SEV4", "RETIRED", "deescalate"],
  ] as const)("%s → %s is %s", (from, to, kind) => {
    expect(compareSeverity(DEFAULT_SEVERITIES, from, to)).toBe(kind);
  });
});

describe("the default ladder", () => {
  it("matches the framework's cadence: SEV1 every 30 minutes, SEV2 hourly, SEV3 every 4 hours, SEV4 none", () => {
    expect(DEFAULT_SEVERITIES.map((s) => s.cadence?.as("minutes") ?? null)).toEqual([30, 60, 240, null]);
  });
  it("requires an IC and expects a Comms Lead and a postmortem for SEV1 and SEV2 only", () => {
    expect(DEFAULT_SEVERITIES.map((s) => [s.requiresIc, s.expectsCommsLead, s.postmortemRequired])).toEqual([
      [true, true, true],
      [true, true, true],
      [false, false, false],
      [false, false, false],
    ]);
  });
});
