// A fake of Linear's GraphQL API over real HTTP on loopback, built from its published reference
// (linear.app/developers: the schema, authentication, rate limiting, webhooks): the root fields
// Warroom asks for — teams, issues (filtered by team and createdAt, paginated), issueLabels,
// issueLabelCreate, issueCreate, users (by e-mail), workflowStates (by team and type), issueUpdate.
//
// - `Authorization: <API key>` (personal keys are sent bare); a wrong one is HTTP 400 with
//   `errors: [{ message: "Authentication required, not authenticated", extensions: { type:
//   "authentication error", code: "AUTHENTICATION_ERROR" } }]`.
// - A bad input is `errors: [{ message, extensions: { type: "invalid input", userPresentableMessage } }]`.
// - Rate limiting: over `perHour` requests (1,500 for an API key) is HTTP 400 with
//   `extensions: { code: "RATELIMITED" }` and the X-RateLimit-Requests-* headers; `refusedForRate` counts.
// Tests can script answers (`failNext`) and send signed `Issue` webhooks (Linear-Signature: the hex
// HMAC-SHA256 of the body; Linear-Delivery; webhookTimestamp in milliseconds).

import { createHmac, randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { deliverHook } from "../support/deliver-hook.ts";

export interface FakeLinearIssue {
  id: string;
  identifier: string;
  url: string;
  title: string;
  description: string;
  labelIds: string[];
  assigneeId: string | null;
  stateId: string;
  createdAt: string;
}

export interface FakeLinear {
  url: string;
  key: string;
  teamKey: string;
  issues: FakeLinearIssue[];
  labels: { id: string; name: string; teamId: string | null }[];
  states: { id: string; name: string; type: string; position: number }[];
  users: Map<string, string>;
  requests: { field: string; authorization?: string | undefined }[];
  refusedForRate: number;
  failNext(field: string, errors: unknown[]): void;
  sendIssueUpdate(target: string, secret: string, issue: FakeLinearIssue, fromStateId: string, opts?: { delivery?: string; timestamp?: number }): Promise<{ status: number; body: unknown; delivery: string }>;
  stop(): Promise<void>;
}

export async function startFakeLinear(opts: { teamKey?: string; perHour?: number } = {}): Promise<FakeLinear> {
  const teamKey = opts.teamKey ?? "ENG";
  const teamId = randomUUID();
  const perHour = opts.perHour ?? 1500;
  const key = `lin_api_${randomUUID().replace(/-/g, "")}`;
  const scripted: { field: string; errors: unknown[] }[] = [];
  let used = 0;
  let url = "";

  const fake: FakeLinear = {
    url: "",
    key,
    teamKey,
    issues: [],
    labels: [{ id: randomUUID(), name: "incident", teamId: null }],
    states: [
      { id: randomUUID(), name: "Todo", type: "unstarted", position: 1 },
      { id: randomUUID(), name: "In Progress", type: "started", position: 2 },
      { id: randomUUID(), name: "Done", type: "completed", position: 3 },
      { id: randomUUID(), name: "Canceled", type: "canceled", position: 4 },
    ],
    users: new Map(),
    requests: [],
    refusedForRate: 0,
    failNext(field, errors) {
      scripted.push({ field, errors });
    },
    async sendIssueUpdate(target, secret, issue, fromStateId, o = {}) {
      const delivery = o.delivery ?? randomUUID();
      const state = fake.states.find((s) => s.id === issue.stateId)!;
      const payload = JSON.stringify({
        action: "update",
        type: "Issue",
        actor: { id: randomUUID(), type: "user", name: "Lin Ear" },
        createdAt: new Date().toISOString(),
        data: { id: issue.id, identifier: issue.identifier, title: issue.title, stateId: issue.stateId, state: { id: state.id, name: state.name, type: state.type }, teamId },
        updatedFrom: { stateId: fromStateId, updatedAt: new Date().toISOString() },
        url: issue.url,
        organizationId: randomUUID(),
        webhookTimestamp: o.timestamp ?? Date.now(),
        webhookId: randomUUID(),
      });
      return deliverHook(target, { "content-type": "application/json; charset=utf-8", "linear-signature": createHmac("sha256", secret).update(payload).digest("hex"), "linear-delivery": delivery, "linear-event": "Issue", "user-agent": "Linear-Webhook" }, payload, delivery);
    },
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };

  const invalid = (message: string) => [{ message, extensions: { type: "invalid input", code: "INVALID_INPUT", userError: true, userPresentableMessage: message } }];

  const resolveField = (field: string, v: Record<string, any>): { data?: unknown; errors?: unknown[] } => {
    switch (field) {
      case "teams":
        return { data: { teams: { nodes: v.key === teamKey ? [{ id: teamId, key: teamKey }] : [] } } };
      case "issues": {
        if (v.teamId !== teamId) return { data: { issues: { nodes: [], pageInfo: { hasNextPage: false, endCursor: null } } } };
        const since = Date.parse(v.since);
        const list = fake.issues.filter((i) => Date.parse(i.createdAt) >= since).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
        const start = v.after ? Number(v.after) : 0;
        const page = list.slice(start, start + 100);
        const more = start + 100 < list.length;
        return { data: { issues: { nodes: page.map((i) => ({ id: i.id, identifier: i.identifier, url: i.url, description: i.description })), pageInfo: { hasNextPage: more, endCursor: more ? String(start + 100) : null } } } };
      }
      case "issueLabels":
        return { data: { issueLabels: { nodes: fake.labels.filter((l) => (v.names as string[]).includes(l.name)).map((l) => ({ id: l.id, name: l.name, team: l.teamId ? { id: l.teamId } : null })) } } };
      case "issueLabelCreate": {
        const label = { id: randomUUID(), name: String(v.input?.name), teamId: v.input?.teamId ?? null };
        fake.labels.push(label);
        return { data: { issueLabelCreate: { success: true, issueLabel: { id: label.id, name: label.name } } } };
      }
      case "issueCreate": {
        const input = v.input ?? {};
        if (input.teamId !== teamId) return { errors: invalid("Team not found") };
        if (typeof input.title !== "string" || !input.title.trim()) return { errors: invalid("title must not be empty") };
        const unknownLabel = (input.labelIds ?? []).find((id: string) => !fake.labels.some((l) => l.id === id));
        if (unknownLabel) return { errors: invalid(`Label ${unknownLabel} does not exist`) };
        const n = fake.issues.length + 1;
        const issue: FakeLinearIssue = {
          id: randomUUID(),
          identifier: `${teamKey}-${n}`,
          url: `https://linear.app/acme/issue/${teamKey}-${n}/${String(input.title).toLowerCase().replace(/[^a-z0-9]+/g, "-").slice(0, 40)}`,
          title: input.title,
          description: input.description ?? "",
          labelIds: input.labelIds ?? [],
          assigneeId: input.assigneeId ?? null,
          stateId: fake.states[0]!.id,
          createdAt: new Date().toISOString(),
        };
        fake.issues.push(issue);
        return { data: { issueCreate: { success: true, issue: { id: issue.id, identifier: issue.identifier, url: issue.url } } } };
      }
      case "users": {
        const id = fake.users.get(String(v.email).toLowerCase());
        return { data: { users: { nodes: id ? [{ id }] : [] } } };
      }
      case "workflowStates":
        return { data: { workflowStates: { nodes: v.teamId === teamId ? fake.states.filter((s) => s.type === "completed").map((s) => ({ id: s.id, position: s.position })) : [] } } };
      case "issueUpdate": {
        const issue = fake.issues.find((i) => i.id === v.id || i.identifier === v.id);
        if (!issue) return { errors: invalid("Entity not found: Issue") };
        if (v.input?.stateId) {
          if (!fake.states.some((s) => s.id === v.input.stateId)) return { errors: invalid("Workflow state not found") };
          issue.stateId = v.input.stateId;
        }
        return { data: { issueUpdate: { success: true } } };
      }
      default:
        return { errors: [{ message: `Cannot query field "${field}" on type "Query".`, extensions: { type: "graphql error", code: "GRAPHQL_VALIDATION_FAILED" } }] };
    }
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, {
          "content-type": "application/json; charset=utf-8",
          "x-ratelimit-requests-limit": String(perHour),
          "x-ratelimit-requests-remaining": String(Math.max(0, perHour - used)),
          "x-ratelimit-requests-reset": String(Date.now() + 3_600_000),
          ...headers,
        });
        res.end(JSON.stringify(body));
      };
      if (req.method !== "POST" || new URL(req.url ?? "/", url).pathname !== "/graphql") return send(404, { errors: [{ message: "Not found" }] });
      let body: { query?: string; variables?: Record<string, unknown> };
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      } catch {
        return send(400, { errors: [{ message: "Unexpected token in JSON", extensions: { type: "graphql error" } }] });
      }
      // the root field: the first name after the operation's opening brace
      const field = /\{\s*([A-Za-z]+)\s*[({]/.exec(body.query ?? "")?.[1] ?? "";
      fake.requests.push({ field, authorization: req.headers.authorization });
      if (req.headers.authorization !== key) return send(400, { errors: [{ message: "Authentication required, not authenticated", extensions: { type: "authentication error", code: "AUTHENTICATION_ERROR", userPresentableMessage: "You need to authenticate to access this operation." } }] });
      used++;
      if (used > perHour) {
        fake.refusedForRate++;
        return send(400, { errors: [{ message: "Rate limit exceeded", extensions: { type: "ratelimited", code: "RATELIMITED" } }] }, { "x-ratelimit-requests-remaining": "0", "retry-after": "60" });
      }
      const s = scripted.findIndex((x) => x.field === field);
      if (s >= 0) {
        const [x] = scripted.splice(s, 1);
        return send(200, { data: null, errors: x!.errors });
      }
      const out = resolveField(field, body.variables ?? {});
      return send(200, out.errors ? { data: null, errors: out.errors } : { data: out.data });
    });
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.url = url;
  return fake;
}
