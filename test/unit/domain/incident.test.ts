// The incident decisions: roles taken, assigned, handed off, taken over; status moves. Pure.

import { describe, expect, it } from "vitest";
import { assignRole, handoff, type Incident, isInCharge, participants, setStatus, takeRole } from "../../../src/domain/incident.ts";
import { anIncident as baseIncident } from "../../support/builders.ts";

const anIncident = (overrides: Partial<Incident> = {}): Incident =>
  baseIncident({ number: 7, declaredBy: "UDECL", roles: { ic: "UIC", tech: null, comms: null, scribe: null }, responders: [], ...overrides });

describe("takeRole", () => {
  it("gives a free role to the clicker", () => {
    const d = takeRole(anIncident(), "tech", "UBOB", { expected: null });
    expect(d).toEqual({ ok: true, incident: expect.objectContaining({ roles: expect.objectContaining({ tech: "UBOB" }) }), events: [{ kind: "role_changed", role: "tech", userId: "UBOB", previous: null, by: "UBOB", how: "take" }] });
  });
  it("refuses the holder taking it again", () => {
    expect(takeRole(anIncident({ roles: { ic: "UIC", tech: "UBOB", comms: null, scribe: null } }), "tech", "UBOB")).toEqual({ ok: false, refusal: { code: "already_holder", role: "tech" } });
  });
  it("refuses a held role, naming the holder", () => {
    expect(takeRole(anIncident({ roles: { ic: "UIC", tech: "UBOB", comms: null, scribe: null } }), "tech", "UCAROL")).toEqual({ ok: false, refusal: { code: "role_held", role: "tech", holder: "UBOB" } });
  });
  it("refuses a role that someone took since the clicker saw it free: held by the winner", () => {
    expect(takeRole(anIncident({ roles: { ic: "UIC", tech: "UBOB", comms: null, scribe: null } }), "tech", "UCAROL", { expected: null })).toEqual({ ok: false, refusal: { code: "role_held", role: "tech", holder: "UBOB" } });
  });
  it("refuses a takeover of a holder who changed meanwhile", () => {
    expect(takeRole(anIncident({ roles: { ic: "UNEW", tech: null, comms: null, scribe: null } }), "ic", "UCAROL", { expected: "UIC", takeover: true })).toEqual({ ok: false, refusal: { code: "holder_changed", role: "ic", holder: "UNEW" } });
  });
  it("takes IC over only when asked explicitly", () => {
    expect(takeRole(anIncident(), "ic", "UBOB")).toEqual({ ok: false, refusal: { code: "role_held", role: "ic", holder: "UIC" } });
    const d = takeRole(anIncident(), "ic", "UBOB", { expected: "UIC", takeover: true });
    expect(d.ok && d.events).toEqual([{ kind: "role_changed", role: "ic", userId: "UBOB", previous: "UIC", by: "UBOB", how: "takeover" }]);
  });
  it("adds a responder once", () => {
    const d = takeRole(anIncident(), "responder", "UBOB");
    expect(d.ok && d.incident.responders).toEqual(["UBOB"]);
    expect(takeRole(anIncident({ responders: ["UBOB"] }), "responder", "UBOB")).toEqual({ ok: false, refusal: { code: "already_holder", role: "responder" } });
  });
  it("refuses anything on a closed incident", () => {
    expect(takeRole(anIncident({ status: "closed" }), "tech", "UBOB")).toEqual({ ok: false, refusal: { code: "not_open", status: "closed" } });
  });
});

describe("assignRole", () => {
  it("fills or replaces a role other than IC, for anyone", () => {
    const d = assignRole(anIncident({ roles: { ic: "UIC", tech: "UOLD", comms: null, scribe: null } }), "tech", "UNEW", "UANY");
    expect(d.ok && d.events).toEqual([{ kind: "role_changed", role: "tech", userId: "UNEW", previous: "UOLD", by: "UANY", how: "assign" }]);
  });
  it("lets only the IC give IC away (a handoff)", () => {
    expect(assignRole(anIncident(), "ic", "UNEW", "UANY")).toEqual({ ok: false, refusal: { code: "only_ic_hands_off", ic: "UIC" } });
    const d = assignRole(anIncident(), "ic", "UNEW", "UIC");
    expect(d.ok && d.events[0]).toMatchObject({ how: "handoff", previous: "UIC", userId: "UNEW" });
  });
  it("lets anyone fill an empty IC", () => {
    const d = assignRole(anIncident({ roles: { ic: null, tech: null, comms: null, scribe: null } }), "ic", "UNEW", "UANY");
    expect(d.ok && d.incident.roles.ic).toBe("UNEW");
  });
  it("refuses giving a role to its holder", () => {
    expect(assignRole(anIncident(), "ic", "UIC", "UIC")).toEqual({ ok: false, refusal: { code: "already_holder", role: "ic" } });
  });
});

describe("handoff", () => {
  it("is the IC's, with an optional summary that becomes the latest summary", () => {
    const d = handoff(anIncident(), "UNEW", "UIC", "Failover done");
    expect(d.ok && d.incident).toMatchObject({ roles: { ic: "UNEW" }, statusSummary: "Failover done" });
    expect(d.ok && d.events).toEqual([{ kind: "role_changed", role: "ic", userId: "UNEW", previous: "UIC", by: "UIC", how: "handoff", summary: "Failover done" }]);
  });
  it("is the declarer's while there is no IC", () => {
    const none = anIncident({ roles: { ic: null, tech: null, comms: null, scribe: null } });
    expect(handoff(none, "UNEW", "UDECL").ok).toBe(true);
    expect(handoff(none, "UNEW", "UOTHER")).toEqual({ ok: false, refusal: { code: "only_ic_hands_off", ic: "UDECL" } });
  });
  it("refuses others, naming the IC", () => {
    expect(handoff(anIncident(), "UNEW", "UOTHER")).toEqual({ ok: false, refusal: { code: "only_ic_hands_off", ic: "UIC" } });
  });
  it("refuses handing to oneself", () => {
    expect(handoff(anIncident(), "UIC", "UIC")).toEqual({ ok: false, refusal: { code: "handoff_to_self" } });
  });
});

describe("setStatus", () => {
  it("moves forward among active states", () => {
    const d = setStatus(anIncident(), "monitoring", "UANY");
    expect(d.ok && d.events).toEqual([{ kind: "status_changed", from: "investigating", to: "monitoring", by: "UANY" }]);
  });
  it("refuses resolving (that is /incident resolve) and going back", () => {
    expect(setStatus(anIncident(), "resolved", "U")).toEqual({ ok: false, refusal: { code: "transition", refusal: { code: "not_allowed", current: "investigating", requested: "resolved" } } });
    expect(setStatus(anIncident({ status: "monitoring" }), "identified", "U")).toEqual({ ok: false, refusal: { code: "transition", refusal: { code: "backwards", current: "monitoring", requested: "identified" } } });
  });
});

describe("who is in charge, who is in the room", () => {
  it("is the IC, or the declarer while there is none", () => {
    expect(isInCharge(anIncident(), "UIC")).toBe(true);
    expect(isInCharge(anIncident(), "UDECL")).toBe(false);
    expect(isInCharge(anIncident({ roles: { ic: null, tech: null, comms: null, scribe: null } }), "UDECL")).toBe(true);
  });
  it("lists every participant once", () => {
    expect(participants(anIncident({ roles: { ic: "UIC", tech: "UDECL", comms: null, scribe: "UIC" }, responders: ["UR", "UIC"] }))).toEqual(["UDECL", "UIC", "UR"]);
  });
});
