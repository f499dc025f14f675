// A fake of GitHub's REST API over real HTTP on loopback, built from its published reference
// (docs.github.com/rest): the calls Warroom makes, with GitHub's shapes and errors.
//
// - `Authorization: token <t>` or `Bearer <t>`; a missing or wrong token is 401
//   `{ "message": "Bad credentials", "documentation_url": … }`.
// - GET  /repos/{owner}/{repo}                               → repository (default_branch)
// - GET  /repos/{owner}/{repo}/issues?state&sort&direction&per_page&page → [issue] (pull requests too, as GitHub lists them)
// - POST /repos/{owner}/{repo}/issues { title, body, labels, assignees } → 201 issue; a blank title
//   or an unknown assignee is 422 `{ "message": "Validation Failed", "errors": [{ resource, code, field }] }`
// - PATCH /repos/{owner}/{repo}/issues/{number} { state, state_reason } → issue
// - GET  /search/users?q=<email> in:email                    → { total_count, items: [{ login }] }
// - GET  /repos/{owner}/{repo}/contents/{path}?ref           → file (base64 content, sha) or 404
// - PUT  /repos/{owner}/{repo}/contents/{path} { message, content, branch, sha } → 201/200
//   { content, commit }; an update without the file's current sha is 409 (422 when missing).
// - An unknown repository is 404 `{ "message": "Not Found" }`.
// - Rate limits: the primary limit (x-ratelimit-limit/remaining/reset/used on every answer) and
//   the secondary limits — two requests at once, or more than `contentPerMinute` (80) content-
//   creating requests in 60 s, is 403 `{ "message": "You have exceeded a secondary rate limit…" }`
//   with Retry-After (seconds). `refusedForRate` counts them.
// Tests can script answers (`failNext`), drop the connection after a write is done (`dropAfterNext`,
// as a crash between GitHub's answer and the caller's save looks to the caller), and send the
// repository's signed webhooks (`sendIssueEvent`).

import { createHmac, randomBytes, randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { deliverHook } from "../support/deliver-hook.ts";

export interface FakeIssue {
  number: number;
  title: string;
  body: string | null;
  state: "open" | "closed";
  state_reason: string | null;
  labels: { name: string }[];
  assignees: { login: string }[];
  html_url: string;
  created_at: string;
  updated_at: string;
  pull_request?: { url: string };
}

export interface FakeFile {
  path: string;
  branch: string;
  text: string;
  sha: string;
}

export interface Commit {
  path: string;
  branch: string;
  message: string;
  sha: string;
}

export interface RecordedRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  body: unknown;
  status: number;
}

export interface FakeGithub {
  url: string;
  token: string;
  owner: string;
  repo: string;
  issues: FakeIssue[];
  files: Map<string, FakeFile>;
  commits: Commit[];
  requests: RecordedRequest[];
  /** users by public e-mail */
  users: Map<string, string>;
  refusedForRate: number;
  /** Called after each answer is written (a test may kill the bot right then). */
  onAnswered?: ((r: RecordedRequest) => void) | undefined;
  /** The most requests in flight at once. */
  maxConcurrent: number;
  failNext(method: string, pathIncludes: string, status: number, body?: unknown, headers?: Record<string, string>): void;
  /** The next matching write is done, then the connection dropped before the answer. */
  dropAfterNext(method: string, pathIncludes: string): void;
  addIssue(partial: Partial<FakeIssue>): FakeIssue;
  /** POSTs an `issues` event, signed with `secret`, to `target`; the bot's answer. */
  sendIssueEvent(target: string, secret: string, action: string, issue: FakeIssue, opts?: { delivery?: string; signature?: string; repo?: string }): Promise<{ status: number; body: unknown; delivery: string }>;
  stop(): Promise<void>;
}

const DOCS = "https://docs.github.com/rest";

export async function startFakeGithub(opts: { owner?: string; repo?: string; contentPerMinute?: number; defaultBranch?: string } = {}): Promise<FakeGithub> {
  const owner = opts.owner ?? "acme";
  const repo = opts.repo ?? "platform";
  const token = `ghp_${randomBytes(18).toString("hex")}`;
  const limitPerMinute = opts.contentPerMinute ?? 80;
  const defaultBranch = opts.defaultBranch ?? "main";
  const scripted: { method: string; path: string; status: number; body: unknown; headers: Record<string, string> }[] = [];
  const drops: { method: string; path: string }[] = [];
  const writes: number[] = [];
  let inFlight = 0;
  let primaryUsed = 0;
  let url = "";

  const fake: FakeGithub = {
    url: "",
    token,
    owner,
    repo,
    issues: [],
    files: new Map(),
    commits: [],
    requests: [],
    users: new Map(),
    refusedForRate: 0,
    maxConcurrent: 0,
    failNext(method, pathIncludes, status, body = { message: "Server Error" }, headers = {}) {
      scripted.push({ method, path: pathIncludes, status, body, headers });
    },
    dropAfterNext(method, pathIncludes) {
      drops.push({ method, path: pathIncludes });
    },
    addIssue(partial) {
      const number = fake.issues.length + 1;
      const now = new Date().toISOString();
      const issue: FakeIssue = { number, title: "x", body: null, state: "open", state_reason: null, labels: [], assignees: [], html_url: `https://github.com/${owner}/${repo}/issues/${number}`, created_at: now, updated_at: now, ...partial };
      fake.issues.push(issue);
      return issue;
    },
    async sendIssueEvent(target, secret, action, issue, o = {}) {
      const delivery = o.delivery ?? randomUUID();
      const payload = JSON.stringify({ action, issue, repository: { full_name: o.repo ?? `${owner}/${repo}`, name: repo, owner: { login: owner } }, sender: { login: "octocat" } });
      const signature = o.signature ?? `sha256=${createHmac("sha256", secret).update(payload).digest("hex")}`;
      return deliverHook(target, { "x-github-event": "issues", "x-github-delivery": delivery, "x-hub-signature-256": signature, "user-agent": "GitHub-Hookshot/fake" }, payload, delivery);
    },
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };

  const send = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    primaryUsed++;
    res.writeHead(status, {
      "content-type": "application/json; charset=utf-8",
      "x-ratelimit-limit": "5000",
      "x-ratelimit-remaining": String(Math.max(0, 5000 - primaryUsed)),
      "x-ratelimit-reset": String(Math.floor(Date.now() / 1000) + 3600),
      "x-ratelimit-used": String(primaryUsed),
      "x-ratelimit-resource": "core",
      ...headers,
    });
    res.end(status === 204 ? undefined : JSON.stringify(body));
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      inFlight++;
      fake.maxConcurrent = Math.max(fake.maxConcurrent, inFlight);
      const u = new URL(req.url ?? "/", url);
      const method = req.method ?? "GET";
      const raw = Buffer.concat(chunks).toString("utf8");
      let body: unknown;
      try {
        body = raw ? JSON.parse(raw) : undefined;
      } catch {
        body = Symbol.for("invalid");
      }
      const record: RecordedRequest = { method, path: u.pathname + u.search, authorization: req.headers.authorization, body, status: 0 };
      fake.requests.push(record);
      const answer = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
        record.status = status;
        inFlight--;
        send(res, status, payload, headers);
        fake.onAnswered?.(record);
      };
      const auth = req.headers.authorization ?? "";
      if (auth !== `token ${token}` && auth !== `Bearer ${token}`) return answer(401, { message: "Bad credentials", documentation_url: DOCS, status: "401" });
      // the secondary limits: one request at a time, and so many content-creating requests a minute
      if (inFlight > 1) {
        fake.refusedForRate++;
        return answer(403, { message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.", documentation_url: DOCS }, { "retry-after": "5" });
      }
      const write = method !== "GET";
      if (write) {
        const now = Date.now();
        while (writes.length && writes[0]! < now - 60_000) writes.shift();
        if (writes.length >= limitPerMinute) {
          fake.refusedForRate++;
          return answer(403, { message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.", documentation_url: DOCS }, { "retry-after": String(Math.ceil((writes[0]! + 60_000 - now) / 1000)) });
        }
        writes.push(now);
      }
      const s = scripted.findIndex((x) => x.method === method && u.pathname.includes(x.path));
      if (s >= 0) {
        const [x] = scripted.splice(s, 1);
        return answer(x!.status, x!.body, x!.headers);
      }
      if (body === Symbol.for("invalid")) return answer(400, { message: "Problems parsing JSON", documentation_url: DOCS });
      const d = drops.findIndex((x) => x.method === method && u.pathname.includes(x.path));
      const drop = d >= 0 ? drops.splice(d, 1) : undefined;
      const finish = drop
        ? (status: number, _payload: unknown) => {
            record.status = status;
            inFlight--;
            // the work is done; the answer never arrives
            req.socket.destroy();
          }
        : answer;
      route(method, u, body as Record<string, unknown> | undefined, finish);
    });
  });

  const route = (method: string, u: URL, body: Record<string, unknown> | undefined, answer: (status: number, payload: unknown, headers?: Record<string, string>) => void) => {
    const path = u.pathname;
    if (method === "GET" && path === "/search/users") {
      const q = (u.searchParams.get("q") ?? "").replace(/\s+in:email$/, "").trim();
      const login = fake.users.get(q.toLowerCase());
      return answer(200, { total_count: login ? 1 : 0, incomplete_results: false, items: login ? [{ login, id: 1, type: "User" }] : [] });
    }
    const m = /^\/repos\/([^/]+)\/([^/]+)(\/.*)?$/.exec(path);
    if (!m || m[1] !== owner || m[2] !== repo) return answer(404, { message: "Not Found", documentation_url: DOCS, status: "404" });
    const rest = m[3] ?? "";
    if (method === "GET" && rest === "") return answer(200, { id: 1, name: repo, full_name: `${owner}/${repo}`, default_branch: defaultBranch, private: true });
    if (rest === "/issues" && method === "GET") {
      const state = u.searchParams.get("state") ?? "open";
      const dir = u.searchParams.get("direction") ?? "desc";
      const per = Math.min(100, Number(u.searchParams.get("per_page") ?? 30));
      const page = Math.max(1, Number(u.searchParams.get("page") ?? 1));
      let list = fake.issues.filter((i) => state === "all" || i.state === state);
      list = [...list].sort((a, b) => (dir === "desc" ? b.number - a.number : a.number - b.number));
      return answer(200, list.slice((page - 1) * per, page * per));
    }
    if (rest === "/issues" && method === "POST") {
      const title = typeof body?.title === "string" ? body.title.trim() : "";
      if (!title) return answer(422, { message: "Validation Failed", errors: [{ resource: "Issue", code: "missing_field", field: "title" }], documentation_url: DOCS });
      const assignees = Array.isArray(body?.assignees) ? (body.assignees as string[]) : [];
      const known = new Set(fake.users.values());
      const unknown = assignees.find((a) => !known.has(a));
      if (unknown) return answer(422, { message: "Validation Failed", errors: [{ value: unknown, resource: "Issue", field: "assignees", code: "invalid" }], documentation_url: DOCS });
      const issue = fake.addIssue({
        title,
        body: typeof body?.body === "string" ? body.body : null,
        labels: (Array.isArray(body?.labels) ? (body.labels as string[]) : []).map((name) => ({ name })),
        assignees: assignees.map((login) => ({ login })),
      });
      return answer(201, issue);
    }
    const one = /^\/issues\/(\d+)$/.exec(rest);
    if (one && method === "PATCH") {
      const issue = fake.issues.find((i) => i.number === Number(one[1]));
      if (!issue) return answer(404, { message: "Not Found", documentation_url: DOCS });
      if (body?.state === "closed" || body?.state === "open") {
        issue.state = body.state;
        issue.state_reason = body.state === "closed" ? typeof body.state_reason === "string" ? body.state_reason : "completed" : "reopened";
      }
      issue.updated_at = new Date().toISOString();
      return answer(200, issue);
    }
    const contents = /^\/contents\/(.+)$/.exec(rest);
    if (contents) {
      const filePath = decodeURIComponent(contents[1]!);
      if (method === "GET") {
        const branch = u.searchParams.get("ref") ?? defaultBranch;
        const f = fake.files.get(`${branch}:${filePath}`);
        if (!f) return answer(404, { message: "Not Found", documentation_url: DOCS, status: "404" });
        return answer(200, { type: "file", encoding: "base64", size: f.text.length, name: filePath.split("/").at(-1), path: filePath, content: Buffer.from(f.text).toString("base64"), sha: f.sha, html_url: `https://github.com/${owner}/${repo}/blob/${branch}/${filePath}` });
      }
      if (method === "PUT") {
        const branch = typeof body?.branch === "string" ? body.branch : defaultBranch;
        if (typeof body?.message !== "string" || typeof body.content !== "string") return answer(422, { message: "Invalid request.\n\n\"content\", \"message\" weren't supplied.", documentation_url: DOCS });
        const key = `${branch}:${filePath}`;
        const existing = fake.files.get(key);
        if (existing && body.sha === undefined) return answer(422, { message: 'Invalid request.\n\n"sha" wasn\'t supplied.', documentation_url: DOCS });
        if (existing && body.sha !== existing.sha) return answer(409, { message: `${filePath} does not match ${String(body.sha)}`, documentation_url: DOCS });
        const text = Buffer.from(body.content, "base64").toString("utf8");
        const sha = randomBytes(20).toString("hex");
        fake.files.set(key, { path: filePath, branch, text, sha });
        fake.commits.push({ path: filePath, branch, message: body.message, sha: randomBytes(20).toString("hex") });
        return answer(existing ? 200 : 201, { content: { name: filePath.split("/").at(-1), path: filePath, sha, html_url: `https://github.com/${owner}/${repo}/blob/${branch}/${filePath}` }, commit: { sha: fake.commits.at(-1)!.sha, message: body.message } });
      }
    }
    return answer(404, { message: "Not Found", documentation_url: DOCS });
  };

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.url = url;
  return fake;
}
