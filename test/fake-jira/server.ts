// A fake of Jira Cloud's REST API v3 over real HTTP on loopback, built from its published reference
// (developer.atlassian.com/cloud/jira/platform/rest/v3): the calls Warroom makes, with Jira's shapes.
//
// - Basic auth with the account's e-mail and API token; anything else is 401 (Jira's HTML-less
//   `{ "errorMessages": ["…"] }` here).
// - POST /rest/api/3/issue { fields: { project: { key }, issuetype: { name }, summary, description
//   (ADF), labels, assignee: { accountId } } } → 201 { id, key, self }; an unknown project is 400
//   `{ "errorMessages": [], "errors": { "project": "valid project is required" } }`, an unknown issue
//   type `errors.issuetype`, a label with a space `errors.labels`.
// - GET  /rest/api/3/search/jql?jql&fields&maxResults&nextPageToken → { issues, nextPageToken?, isLast }
//   (project = "KEY" … ORDER BY created DESC is what is understood; newest first).
// - GET  /rest/api/3/user/search?query=<email>          → [user]
// - GET  /rest/api/3/issue/{idOrKey}/transitions         → { transitions: [{ id, name, to: { statusCategory } }] }
// - POST /rest/api/3/issue/{idOrKey}/transitions { transition: { id } } → 204
// - Rate limiting: over `perSecond` requests (10) in the last second is 429 with Retry-After
//   (seconds) and `{ "errorMessages": ["Rate limit exceeded."] }`; `refusedForRate` counts them.
// Tests can script answers (`failNext`) and send signed `jira:issue_updated` webhooks.

import { createHmac, randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { deliverHook } from "../support/deliver-hook.ts";

export interface FakeJiraIssue {
  id: string;
  key: string;
  summary: string;
  description: unknown;
  labels: string[];
  assignee: string | null;
  status: { name: string; category: "new" | "indeterminate" | "done" };
  created: number;
}

export interface FakeJira {
  url: string;
  email: string;
  token: string;
  projectKey: string;
  issues: FakeJiraIssue[];
  requests: { method: string; path: string; status: number; authorization?: string | undefined }[];
  users: Map<string, string>;
  refusedForRate: number;
  failNext(method: string, pathIncludes: string, status: number, body?: unknown, headers?: Record<string, string>): void;
  sendIssueUpdated(target: string, secret: string, issue: FakeJiraIssue, opts?: { delivery?: string }): Promise<{ status: number; body: unknown; delivery: string }>;
  stop(): Promise<void>;
}

const TRANSITIONS = [
  { id: "11", name: "To Do", to: { name: "To Do", statusCategory: { key: "new" } } },
  { id: "21", name: "In Progress", to: { name: "In Progress", statusCategory: { key: "indeterminate" } } },
  { id: "31", name: "Done", to: { name: "Done", statusCategory: { key: "done" } } },
];

export async function startFakeJira(opts: { projectKey?: string; perSecond?: number } = {}): Promise<FakeJira> {
  const projectKey = opts.projectKey ?? "OPS";
  const perSecond = opts.perSecond ?? 10;
  const email = "bot@acme.test";
  const token = `ATATT${randomUUID().replace(/-/g, "")}`;
  const auth = `Basic ${Buffer.from(`${email}:${token}`).toString("base64")}`;
  const scripted: { method: string; path: string; status: number; body: unknown; headers: Record<string, string> }[] = [];
  const recent: number[] = [];
  let url = "";
  let next = 10000;

  const fake: FakeJira = {
    url: "",
    email,
    token,
    projectKey,
    issues: [],
    requests: [],
    users: new Map(),
    refusedForRate: 0,
    failNext(method, pathIncludes, status, body = { errorMessages: ["Internal server error"] }, headers = {}) {
      scripted.push({ method, path: pathIncludes, status, body, headers });
    },
    async sendIssueUpdated(target, secret, issue, o = {}) {
      const delivery = o.delivery ?? randomUUID();
      const payload = JSON.stringify({
        timestamp: Date.now(),
        webhookEvent: "jira:issue_updated",
        issue_event_type_name: "issue_generic",
        user: { accountId: "557058:jira-user", displayName: "Jane Jira" },
        issue: { id: issue.id, key: issue.key, fields: { summary: issue.summary, status: { name: issue.status.name, statusCategory: { key: issue.status.category } } } },
        changelog: { id: "1", items: [{ field: "status", fieldtype: "jira", fieldId: "status", fromString: "To Do", toString: issue.status.name }] },
      });
      return deliverHook(target, { "x-hub-signature": `sha256=${createHmac("sha256", secret).update(payload).digest("hex")}`, "x-atlassian-webhook-identifier": delivery }, payload, delivery);
    },
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const u = new URL(req.url ?? "/", url);
      const method = req.method ?? "GET";
      const record = { method, path: u.pathname + u.search, status: 0, authorization: req.headers.authorization };
      fake.requests.push(record);
      const answer = (status: number, body?: unknown, headers: Record<string, string> = {}) => {
        record.status = status;
        res.writeHead(status, { "content-type": "application/json;charset=UTF-8", ...headers });
        res.end(status === 204 || body === undefined ? undefined : JSON.stringify(body));
      };
      const now = Date.now();
      while (recent.length && recent[0]! < now - 1000) recent.shift();
      if (recent.length >= perSecond) {
        fake.refusedForRate++;
        return answer(429, { errorMessages: ["Rate limit exceeded."] }, { "retry-after": "1", "x-ratelimit-limit": String(perSecond), "x-ratelimit-remaining": "0" });
      }
      recent.push(now);
      if (req.headers.authorization !== auth) return answer(401, { errorMessages: ["You are not authenticated. Authentication required to perform this operation."] });
      const s = scripted.findIndex((x) => x.method === method && u.pathname.includes(x.path));
      if (s >= 0) {
        const [x] = scripted.splice(s, 1);
        return answer(x!.status, x!.body, x!.headers);
      }
      let body: Record<string, any> | undefined;
      try {
        body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString("utf8")) : undefined;
      } catch {
        return answer(400, { errorMessages: ["Unexpected character in the JSON body."] });
      }
      const path = u.pathname;
      if (method === "POST" && path === "/rest/api/3/issue") {
        const f = body?.fields ?? {};
        const errors: Record<string, string> = {};
        if (f.project?.key !== projectKey) errors.project = "valid project is required";
        if (f.issuetype?.name !== "Task" && f.issuetype?.name !== "Bug") errors.issuetype = "Specify a valid issue type";
        if (typeof f.summary !== "string" || !f.summary.trim()) errors.summary = "You must specify a summary of the issue.";
        else if (f.summary.length > 255) errors.summary = "Summary must be less than 255 characters.";
        if (Array.isArray(f.labels) && f.labels.some((l: string) => /\s/.test(l))) errors.labels = "The label must not contain spaces.";
        if (f.description && f.description.type !== "doc") errors.description = "Operation value must be an Atlassian Document (see the Atlassian Document Format).";
        if (f.assignee && ![...fake.users.values()].includes(f.assignee.accountId)) errors.assignee = `User '${String(f.assignee.accountId)}' cannot be assigned issues.`;
        if (Object.keys(errors).length) return answer(400, { errorMessages: [], errors });
        const id = String(next++);
        const issue: FakeJiraIssue = { id, key: `${projectKey}-${fake.issues.length + 1}`, summary: f.summary, description: f.description ?? null, labels: f.labels ?? [], assignee: f.assignee?.accountId ?? null, status: { name: "To Do", category: "new" }, created: Date.now() };
        fake.issues.push(issue);
        return answer(201, { id, key: issue.key, self: `${url}/rest/api/3/issue/${id}` });
      }
      if (method === "GET" && path === "/rest/api/3/search/jql") {
        const jql = u.searchParams.get("jql") ?? "";
        if (!new RegExp(`project = "?${projectKey}"?`).test(jql)) return answer(400, { errorMessages: [`The value '${jql}' does not exist for the field 'project'.`] });
        const max = Math.min(100, Number(u.searchParams.get("maxResults") ?? 50));
        const start = Number(u.searchParams.get("nextPageToken") ?? 0);
        const list = [...fake.issues].sort((a, b) => b.created - a.created || Number(b.id) - Number(a.id));
        const page = list.slice(start, start + max);
        const more = start + max < list.length;
        return answer(200, { issues: page.map((i) => ({ id: i.id, key: i.key, self: `${url}/rest/api/3/issue/${i.id}`, fields: { description: i.description } })), ...(more ? { nextPageToken: String(start + max) } : {}), isLast: !more });
      }
      if (method === "GET" && path === "/rest/api/3/user/search") {
        const q = (u.searchParams.get("query") ?? "").toLowerCase();
        const id = fake.users.get(q);
        return answer(200, id ? [{ accountId: id, accountType: "atlassian", active: true, displayName: q }] : []);
      }
      const t = /^\/rest\/api\/3\/issue\/([^/]+)\/transitions$/.exec(path);
      if (t) {
        const issue = fake.issues.find((i) => i.id === t[1] || i.key === t[1]);
        if (!issue) return answer(404, { errorMessages: ["Issue does not exist or you do not have permission to see it."] });
        if (method === "GET") return answer(200, { expand: "transitions", transitions: TRANSITIONS });
        if (method === "POST") {
          const to = TRANSITIONS.find((x) => x.id === body?.transition?.id);
          if (!to) return answer(400, { errorMessages: [`Transition id '${String(body?.transition?.id)}' is not valid for this issue.`] });
          issue.status = { name: to.to.name, category: to.to.statusCategory.key as FakeJiraIssue["status"]["category"] };
          return answer(204);
        }
      }
      return answer(404, { errorMessages: ["Not found"] });
    });
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.url = url;
  return fake;
}
