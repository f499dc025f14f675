// Jira Cloud's REST API v3 through jira.js (Basic auth: the account's e-mail and an API token): create
// an issue (the body in the Atlassian Document Format), find one by its marker with the enhanced JQL
// search, a user by e-mail, and close by the first transition into the "done" status category. Jira
// Cloud's limits are cost-based and announced by 429 with Retry-After: calls here go one at a time,
// at most eight a second, and after a 429 every call waits for the time Jira names.

import axios, { type AxiosAdapter, type InternalAxiosRequestConfig } from "axios";
import { Version3Client } from "jira.js";
import { hasMarker } from "../domain/followups.ts";
import type { JiraTracker } from "../config/sections/followups.ts";
import { type NewIssue, Pacer, reason, waitFrom, type Tracker, TrackerError, type TrackerIssue, TRACKER_TIMEOUT_MS } from "./tracker.ts";

/** Eight calls a second at most, writes a little further apart. */
export const JIRA_READ_INTERVAL_MS = 125;
export const JIRA_WRITE_INTERVAL_MS = 200;

interface JiraFailure {
  status?: number;
  message?: string;
  code?: string;
  response?: { data?: unknown; status?: number } | string;
}

/** Jira's error body: { errorMessages: [...], errors: { field: message } }. */
function jiraReason(data: unknown, fallback: string): string {
  if (!data || typeof data !== "object") return reason(typeof data === "string" && data ? data : fallback);
  const d = data as { errorMessages?: unknown; errors?: unknown; message?: unknown };
  const parts: string[] = [];
  if (Array.isArray(d.errorMessages)) parts.push(...d.errorMessages.filter((m): m is string => typeof m === "string"));
  if (d.errors && typeof d.errors === "object") for (const [field, m] of Object.entries(d.errors)) parts.push(`${field}: ${String(m)}`);
  if (parts.length === 0 && typeof d.message === "string") parts.push(d.message);
  return reason(parts.join("; ") || fallback);
}

/** Atlassian Document Format: a paragraph a line (empty lines dropped). */
function adf(lines: readonly string[]) {
  return { type: "doc", version: 1, content: lines.filter((l) => l.trim() !== "").map((l) => ({ type: "paragraph", content: [{ type: "text", text: l }] })) };
}

/** The plain text of an ADF document (or a v2 string), paragraphs on their own lines. */
export function adfText(node: unknown): string {
  if (typeof node === "string") return node;
  if (!node || typeof node !== "object") return "";
  const n = node as { type?: unknown; text?: unknown; content?: unknown };
  if (typeof n.text === "string") return n.text;
  const inner = Array.isArray(n.content) ? n.content.map(adfText) : [];
  return inner.join(n.type === "doc" ? "\n" : "");
}

export class JiraIssues implements Tracker {
  readonly kind = "jira" as const;
  readonly name = "Jira";
  private readonly client: Version3Client;
  private readonly pacer: Pacer;

  constructor(
    private readonly settings: Pick<JiraTracker, "baseUrl" | "projectKey" | "issueType" | "email" | "token" | "tokenEnv">,
    opts: { readonly writeIntervalMs?: number; readonly readIntervalMs?: number; readonly timeoutMs?: number } = {},
  ) {
    this.pacer = new Pacer({ writeIntervalMs: opts.writeIntervalMs ?? JIRA_WRITE_INTERVAL_MS, readIntervalMs: opts.readIntervalMs ?? JIRA_READ_INTERVAL_MS });
    // jira.js keeps only the body of a failed answer: the adapter reads Retry-After on its way
    const base = axios.getAdapter(axios.defaults.adapter);
    const adapter: AxiosAdapter = async (config: InternalAxiosRequestConfig) => {
      try {
        return await base(config);
      } catch (err) {
        const res = (err as { response?: { status?: number; headers?: Record<string, unknown> } }).response;
        if (res?.status === 429 || res?.status === 503) {
          const wait = waitFrom(res.headers?.["retry-after"] as string | undefined) ?? 5_000;
          this.pacer.hold(wait);
          this.lastRetryAfter = wait;
        }
        throw err;
      }
    };
    this.client = new Version3Client({
      host: settings.baseUrl,
      authentication: { basic: { email: settings.email, apiToken: settings.token } },
      baseRequestConfig: { adapter, timeout: opts.timeoutMs ?? TRACKER_TIMEOUT_MS, maxRedirects: 0 },
    });
    this.timeoutMs = opts.timeoutMs ?? TRACKER_TIMEOUT_MS;
  }

  private lastRetryAfter: number | undefined;
  private readonly timeoutMs: number;

  private call<T>(write: boolean, what: string, run: () => Promise<T>): Promise<T> {
    return this.pacer.run(write, async () => {
      this.lastRetryAfter = undefined;
      try {
        return await run();
      } catch (err) {
        throw this.explain(err as JiraFailure, what);
      }
    });
  }

  private explain(e: JiraFailure, what: string): TrackerError {
    const response = typeof e.response === "object" ? e.response : undefined;
    const status = e.status ?? response?.status;
    const data = response?.data;
    if (status === undefined || (status === 500 && data === undefined)) {
      if (/timeout|ECONNABORTED/i.test(`${e.code ?? ""} ${e.message ?? ""}`)) return new TrackerError(`Jira: no answer within ${this.timeoutMs / 1000} s`, true);
      return new TrackerError(`Jira: could not reach ${new URL(this.settings.baseUrl).host} (${reason(e.message ?? "connection failed")})`, true);
    }
    const words = jiraReason(data, e.message ?? `HTTP ${status}`);
    if (status === 429) return new TrackerError(`Jira: rate limited; trying again in ${Math.ceil((this.lastRetryAfter ?? 5000) / 1000)} s`, true, status, this.lastRetryAfter);
    if (status === 401) return new TrackerError(`Jira: the e-mail and API token were refused (${words}): check ${this.settings.tokenEnv}`, false, status);
    if (status === 403) return new TrackerError(`Jira: the account may not ${what} (${words})`, false, status);
    if (status >= 500) return new TrackerError(`Jira: HTTP ${status} (${words})`, true, status, this.lastRetryAfter);
    const project = data && typeof data === "object" ? (data as { errors?: Record<string, unknown> }).errors?.["project"] : undefined;
    if (project !== undefined) return new TrackerError(`Jira: the project key ${this.settings.projectKey} does not exist, or the account cannot create issues in it (${reason(typeof project === "string" ? project : JSON.stringify(project))})`, false, status);
    return new TrackerError(`Jira: ${words}`, false, status);
  }

  private issueOf(i: { id: string; key: string }): TrackerIssue {
    return { id: i.id, key: i.key, url: `${this.settings.baseUrl}/browse/${encodeURIComponent(i.key)}` };
  }

  async findByMarker(itemId: number, since: Date): Promise<TrackerIssue | undefined> {
    const minutes = Math.max(2, Math.ceil((Date.now() - since.getTime()) / 60_000) + 2);
    const jql = `project = "${this.settings.projectKey}" AND created >= "-${minutes}m" ORDER BY created DESC`;
    let nextPageToken: string | undefined;
    for (let page = 0; page < 5; page++) {
      const res = await this.call(false, "search issues", () =>
        this.client.issueSearch.searchForIssuesUsingJqlEnhancedSearch({ jql, fields: ["description"], maxResults: 100, ...(nextPageToken ? { nextPageToken } : {}) }),
      );
      for (const i of res.issues ?? []) {
        if (i.id && i.key && hasMarker(adfText(i.fields?.description), itemId)) return this.issueOf({ id: i.id, key: i.key });
      }
      nextPageToken = res.nextPageToken ?? undefined;
      if (!nextPageToken) return undefined;
    }
    return undefined;
  }

  async create(issue: NewIssue): Promise<TrackerIssue> {
    const created = await this.call(true, `create issues in ${this.settings.projectKey}`, () =>
      this.client.issues.createIssue({
        fields: {
          project: { key: this.settings.projectKey },
          issuetype: { name: this.settings.issueType },
          summary: issue.title,
          description: adf(issue.bodyLines),
          labels: [...issue.labels],
          ...(issue.assignee ? { assignee: { accountId: issue.assignee } } : {}),
        },
      }),
    );
    return this.issueOf(created);
  }

  async assigneeFor(email: string): Promise<string | undefined> {
    const users = await this.call(false, "search users", () => this.client.userSearch.findUsers({ query: email, maxResults: 2 }));
    const people = users.filter((u) => u.accountId && (u.accountType === undefined || u.accountType === "atlassian"));
    return people.length === 1 ? people[0]?.accountId : undefined;
  }

  async close(issue: Pick<TrackerIssue, "id" | "key">): Promise<void> {
    const { transitions } = await this.call(false, `read ${issue.key}'s transitions`, () => this.client.issues.getTransitions({ issueIdOrKey: issue.id }));
    const done = (transitions ?? []).find((t) => t.to?.statusCategory?.key === "done" && t.id);
    if (!done?.id) throw new TrackerError(`Jira: ${issue.key} has no transition into a Done status from where it is`, false);
    const id = done.id;
    await this.call(true, `move ${issue.key}`, () => this.client.issues.doTransition({ issueIdOrKey: issue.id, transition: { id } }));
  }
}
