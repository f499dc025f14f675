// The trackers' webhooks, read: GitHub's `issues` events (X-Hub-Signature-256), Jira Cloud's
// `jira:issue_updated` (X-Hub-Signature, sha256=…), Linear's `Issue` events (Linear-Signature, the hex
// HMAC of the body, and a webhookTimestamp within a minute). Each says, for one issue, whether it is
// now done or open there; everything else is acknowledged and ignored. Signatures are compared in
// constant time over the raw body.

import { createHmac, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import type { UpstreamChange } from "../../incidents/followups/export.ts";

/** `sha256=<hex>` (GitHub, Jira) or bare hex (Linear), compared in constant time. */
export function hmacValid(header: string | string[] | undefined, raw: Buffer, secret: string, prefixed: boolean): boolean {
  if (typeof header !== "string" || header.length > 200) return false;
  const m = (prefixed ? /^sha256=([0-9a-fA-F]{64})$/ : /^([0-9a-fA-F]{64})$/).exec(header.trim());
  if (!m) return false;
  const expected = createHmac("sha256", secret).update(raw).digest();
  return timingSafeEqual(Buffer.from(m[1] as string, "hex"), expected);
}

const name = z.string().max(200).nullish();

export type TrackerEvent = { kind: "change"; change: UpstreamChange } | { kind: "ignored"; why: string };
export type ParsedEvent = { ok: true; event: TrackerEvent } | { ok: false; message: string };

function problem(error: z.ZodError): string {
  const issue = error.issues[0];
  const path = (issue?.path ?? []).map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join("");
  return `${path ? `${path}: ` : ""}${issue?.message ?? "invalid"}`;
}

const githubIssues = z.object(
  {
    action: z.string({ error: "expected the event's action" }).max(50),
    issue: z.object({ number: z.number({ error: "expected the issue's number" }).int().positive(), state: z.string().max(20).nullish() }, { error: "expected the issue" }),
    repository: z.object({ full_name: z.string().max(300) }, { error: "expected the repository" }),
    sender: z.object({ login: name }).nullish(),
  },
  { error: "expected a JSON object (GitHub's issues event)" },
);

/** GitHub: `closed` → done, `reopened` → open, for issues of `repo` (owner/name). */
export function parseGithub(eventName: string | undefined, body: unknown, repo: string): ParsedEvent {
  if (eventName === "ping") return { ok: true, event: { kind: "ignored", why: "ping" } };
  if (eventName !== "issues") return { ok: true, event: { kind: "ignored", why: `${eventName ?? "no"} event` } };
  const p = githubIssues.safeParse(body);
  if (!p.success) return { ok: false, message: problem(p.error) };
  const e = p.data;
  if (e.repository.full_name.toLowerCase() !== repo.toLowerCase()) return { ok: true, event: { kind: "ignored", why: `an issue of ${e.repository.full_name}` } };
  const state = e.action === "closed" ? "done" : e.action === "reopened" ? "open" : undefined;
  if (!state) return { ok: true, event: { kind: "ignored", why: `issue ${e.action}` } };
  return { ok: true, event: { kind: "change", change: { kind: "github", issueId: String(e.issue.number), state, by: e.sender?.login ?? null } } };
}

const jiraIssue = z.object(
  {
    webhookEvent: z.string({ error: "expected webhookEvent" }).max(100),
    issue: z
      .object({
        id: z.union([z.string(), z.number()], { error: "expected the issue's id" }).transform(String),
        key: z.string().max(100).nullish(),
        fields: z.object({ status: z.object({ statusCategory: z.object({ key: z.string().max(50) }).nullish() }).nullish() }).nullish(),
      })
      .nullish(),
    changelog: z.object({ items: z.array(z.object({ field: z.string().max(100).nullish(), fieldId: z.string().max(100).nullish() })).max(500).nullish() }).nullish(),
    user: z.object({ displayName: name }).nullish(),
  },
  { error: "expected a JSON object (Jira's webhook body)" },
);

/** Jira: a status change into the "done" category → done; out of it → open. */
export function parseJira(body: unknown): ParsedEvent {
  const p = jiraIssue.safeParse(body);
  if (!p.success) return { ok: false, message: problem(p.error) };
  const e = p.data;
  if (e.webhookEvent !== "jira:issue_updated" || !e.issue) return { ok: true, event: { kind: "ignored", why: e.webhookEvent } };
  const statusChanged = (e.changelog?.items ?? []).some((i) => i.field === "status" || i.fieldId === "status");
  const category = e.issue.fields?.status?.statusCategory?.key;
  if (!statusChanged || !category) return { ok: true, event: { kind: "ignored", why: "no status change" } };
  return { ok: true, event: { kind: "change", change: { kind: "jira", issueId: e.issue.id, state: category === "done" ? "done" : "open", by: e.user?.displayName ?? null } } };
}

const linearIssue = z.object(
  {
    action: z.string({ error: "expected the action" }).max(50),
    type: z.string({ error: "expected the type" }).max(100),
    data: z.object({ id: z.string().max(200), state: z.object({ type: z.string().max(50) }).nullish() }).passthrough().nullish(),
    updatedFrom: z.record(z.string(), z.unknown()).nullish(),
    webhookTimestamp: z.number({ error: "expected webhookTimestamp (milliseconds)" }),
    actor: z.object({ name }).nullish(),
  },
  { error: "expected a JSON object (Linear's webhook body)" },
);

/** How far a Linear delivery's webhookTimestamp may be from now (Linear's guidance: a minute). */
export const LINEAR_CLOCK_SKEW_MS = 60_000;

/** Linear: an issue moved into a completed state → done; out of one → open. */
export function parseLinear(body: unknown, now: Date): ParsedEvent {
  const p = linearIssue.safeParse(body);
  if (!p.success) return { ok: false, message: problem(p.error) };
  const e = p.data;
  if (Math.abs(now.getTime() - e.webhookTimestamp) > LINEAR_CLOCK_SKEW_MS) return { ok: false, message: "webhookTimestamp: more than a minute from now (a replayed or delayed delivery)" };
  if (e.type !== "Issue" || e.action !== "update" || !e.data) return { ok: true, event: { kind: "ignored", why: `${e.type} ${e.action}` } };
  if (!e.updatedFrom || !("stateId" in e.updatedFrom) || !e.data.state) return { ok: true, event: { kind: "ignored", why: "no state change" } };
  return { ok: true, event: { kind: "change", change: { kind: "linear", issueId: e.data.id, state: e.data.state.type === "completed" ? "done" : "open", by: e.actor?.name ?? null } } };
}
