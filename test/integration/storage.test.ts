// The storage layer on both PostgreSQL servers: every model round-trips through Prisma's pg adapter,
// the constraints that correctness leans on hold, and health reflects the database.

import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../src/log.ts";
import { type Database, openDatabase } from "../../src/store/database.ts";
import { createTestDatabase, pgServers, type TestDatabase } from "../support/databases.ts";

const log = createLogger("warn");

describe.each(pgServers().map((s) => [s.name, s] as const))("on %s", (_name, server) => {
  let test: TestDatabase;
  let db: Database;

  beforeAll(async () => {
    test = await createTestDatabase(server);
    db = await openDatabase({ kind: "external", url: test.url }, log);
  });
  afterAll(async () => {
    await db?.close();
    await test?.drop();
  });

  function incident(overrides: Record<string, unknown> = {}) {
    return {
      id: randomUUID(),
      teamId: "T1",
      number: 1,
      title: "Checkout errors",
      severity: "SEV2",
      declaredBy: "U1",
      declaredAt: new Date("2026-01-31T14:23:00Z"),
      declareKey: randomUUID(),
      ...overrides,
    };
  }

  it("round-trips an incident with its roles, responders, timeline, updates, jobs, action items and postmortem", async () => {
    const data = incident({ number: 101, icId: "U1", impact: "EU customers", isPrivate: true });
    await db.prisma.incident.create({ data });
    await db.prisma.roleAssignment.create({ data: { incidentId: data.id, role: "ic", userId: "U1", assignedBy: "U1", startedAt: new Date() } });
    await db.prisma.responder.create({ data: { incidentId: data.id, userId: "U2", addedBy: "U1", addedAt: new Date() } });
    await db.prisma.timelineEntry.create({ data: { incidentId: data.id, at: new Date(), kind: "declared", actorId: "U1", text: "Declared", data: { severity: "SEV2" } } });
    await db.prisma.statusUpdate.create({ data: { incidentId: data.id, status: "investigating", text: "Looking", authorId: "U1", postedAt: new Date() } });
    await db.prisma.job.create({ data: { kind: "reminder", incidentId: data.id, payload: { epoch: 0 }, dueAt: new Date() } });
    await db.prisma.actionItem.create({ data: { incidentId: data.id, number: 1, text: "Add index check", ownerId: "U2", dueDate: new Date("2026-02-10"), createdBy: "U1", createdAt: new Date() } });
    await db.prisma.postmortem.create({ data: { incidentId: data.id, markdown: "# PM", template: "default", renderedAt: new Date() } });

    const back = await db.prisma.incident.findUniqueOrThrow({
      where: { id: data.id },
      include: { roleAssignments: true, responders: true, timeline: true, updates: true, jobs: true, actionItems: true, postmortem: true },
    });
    expect(back).toMatchObject({ title: "Checkout errors", status: "investigating", isPrivate: true, icId: "U1", version: 0 });
    expect(back.declaredAt.toISOString()).toBe("2026-01-31T14:23:00.000Z");
    expect(back.timeline[0]?.data).toEqual({ severity: "SEV2" });
    expect(back.actionItems[0]?.dueDate?.toISOString().slice(0, 10)).toBe("2026-02-10");
    expect(back.jobs[0]).toMatchObject({ status: "pending", attempts: 0 });
    expect(back.postmortem?.status).toBe("draft");

    await db.prisma.incident.delete({ where: { id: data.id } });
    expect(await db.prisma.timelineEntry.count({ where: { incidentId: data.id } })).toBe(0);
  });

  it("keeps incident numbers unique per workspace, not across workspaces", async () => {
    await db.prisma.incident.create({ data: incident({ number: 7 }) });
    await db.prisma.incident.create({ data: incident({ number: 7, teamId: "T2" }) });
    await expect(db.prisma.incident.create({ data: incident({ number: 7 }) })).rejects.toMatchObject({ code: "P2002" });
  });

  it("refuses a second incident with the same declaration key (a double submission)", async () => {
    const key = randomUUID();
    await db.prisma.incident.create({ data: incident({ number: 20, declareKey: key }) });
    await expect(db.prisma.incident.create({ data: incident({ number: 21, declareKey: key }) })).rejects.toMatchObject({ code: "P2002" });
  });

  it("records a Slack delivery id once", async () => {
    await db.prisma.processedRequest.create({ data: { key: "event:Ev1" } });
    await expect(db.prisma.processedRequest.create({ data: { key: "event:Ev1" } })).rejects.toMatchObject({ code: "P2002" });
  });

  it("decides simultaneous claims of one role in the database: exactly one compare-and-set wins", async () => {
    const data = incident({ number: 30 });
    await db.prisma.incident.create({ data });
    const claimants = Array.from({ length: 10 }, (_, i) => `U${100 + i}`);
    const results = await Promise.all(
      claimants.map((u) => db.prisma.incident.updateMany({ where: { id: data.id, icId: null }, data: { icId: u, version: { increment: 1 } } })),
    );
    expect(results.filter((r) => r.count === 1)).toHaveLength(1);
    const after = await db.prisma.incident.findUniqueOrThrow({ where: { id: data.id } });
    expect(claimants).toContain(after.icId);
    expect(after.version).toBe(1);
  });

  it("reports healthy while the database answers", async () => {
    expect(await db.healthy()).toBe(true);
  });
});

describe("health", () => {
  it("turns unhealthy when the database goes away", async () => {
    const test = await createTestDatabase(pgServers()[1]);
    const db = await openDatabase({ kind: "external", url: test.url }, log);
    expect(await db.healthy()).toBe(true);
    await test.drop();
    expect(await db.healthy(2000)).toBe(false);
    await db.close();
  });
});
