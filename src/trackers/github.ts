// GitHub's REST API through @octokit/rest: issues for action items (find by marker, create, close, a
// user by public e-mail) and the contents API for postmortems in git. GitHub asks integrators to make
// calls one at a time and to wait a second between writes (its secondary rate limits: 80 content-
// creating requests a minute, 500 an hour); a 403/429 with Retry-After or an exhausted primary limit
// (x-ratelimit-remaining: 0) holds every call until the time GitHub names.

import { Octokit } from "@octokit/rest";
import { hasMarker } from "../domain/followups.ts";
import { type NewIssue, Pacer, reason, waitFrom, type Tracker, TrackerError, type TrackerIssue, TRACKER_TIMEOUT_MS } from "./tracker.ts";

/** GitHub's guidance: at least a second between writes. */
export const GITHUB_WRITE_INTERVAL_MS = 1_000;
/** How far back (created, newest first) the marker is looked for. */
const FIND_PAGES = 5;

interface RequestErrorLike {
  status?: number;
  message?: string;
  response?: { headers?: Record<string, string | number | undefined>; data?: unknown };
}

function header(e: RequestErrorLike, name: string): string | undefined {
  const v = e.response?.headers?.[name];
  return v === undefined ? undefined : String(v);
}

/** GitHub's error body: { message, errors: [{ message?, code, field, resource }] }. */
function githubReason(e: RequestErrorLike): string {
  const data = e.response?.data as { message?: unknown; errors?: { message?: unknown; code?: unknown; field?: unknown }[] } | undefined;
  const base = typeof data?.message === "string" ? data.message : (e.message ?? "no answer");
  const details = Array.isArray(data?.errors) ? data.errors.map((x) => (typeof x.message === "string" ? x.message : [x.field, x.code].filter(Boolean).join(" "))).filter(Boolean) : [];
  return reason(details.length ? `${base}: ${details.join("; ")}` : base);
}

export interface GithubOptions {
  readonly apiUrl: string;
  readonly token: string;
  readonly tokenEnv: string;
  readonly writeIntervalMs?: number;
  readonly timeoutMs?: number;
}

/** The one place GitHub's answers become TrackerErrors (shared by issues and contents). */
class GithubApi {
  readonly octokit: Octokit;
  private readonly pacer: Pacer;

  constructor(private readonly opts: GithubOptions) {
    this.octokit = new Octokit({
      auth: opts.token,
      baseUrl: opts.apiUrl,
      userAgent: "warroom",
      // octokit's own log would print deprecation notices to stdout; ours says what matters
      log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
    });
    this.pacer = new Pacer({ writeIntervalMs: opts.writeIntervalMs ?? GITHUB_WRITE_INTERVAL_MS, readIntervalMs: 0 });
  }

  /** A call in its turn, with a timeout; what GitHub refused, in its words. */
  call<T>(write: boolean, what: string, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
    return this.pacer.run(write, async () => {
      try {
        return await run(AbortSignal.timeout(this.opts.timeoutMs ?? TRACKER_TIMEOUT_MS));
      } catch (err) {
        throw this.explain(err as RequestErrorLike, what);
      }
    });
  }

  private explain(e: RequestErrorLike, what: string): TrackerError {
    const status = e.status;
    if (status === undefined || status === 500) {
      const name = (e as { name?: string }).name;
      if (name === "AbortError" || name === "TimeoutError" || /abort|timeout/i.test(e.message ?? "")) return new TrackerError(`GitHub: no answer within ${(this.opts.timeoutMs ?? TRACKER_TIMEOUT_MS) / 1000} s`, true);
      if (status === undefined) return new TrackerError(`GitHub: could not reach ${new URL(this.opts.apiUrl).host} (${reason(e.message ?? "connection failed")})`, true);
    }
    const wait = waitFrom(header(e, "retry-after"), header(e, "x-ratelimit-remaining") === "0" ? header(e, "x-ratelimit-reset") : undefined);
    if ((status === 403 || status === 429) && wait !== undefined) {
      this.pacer.hold(wait);
      return new TrackerError(`GitHub: rate limited (${githubReason(e)}); trying again in ${Math.ceil(wait / 1000)} s`, true, status, wait);
    }
    if (status === 401) return new TrackerError(`GitHub: the token was refused (${githubReason(e)}): check ${this.opts.tokenEnv}`, false, status);
    if (status === 404) return new TrackerError(`GitHub: ${what} was not found, or the token in ${this.opts.tokenEnv} cannot see it (${githubReason(e)})`, false, status);
    if (status === 409) return new TrackerError(`GitHub: ${githubReason(e)}`, true, status);
    if (status !== undefined && status >= 500) return new TrackerError(`GitHub: HTTP ${status} (${githubReason(e)})`, true, status);
    return new TrackerError(`GitHub: ${githubReason(e)}`, false, status);
  }
}

/** One repository through the API: what the issues and the contents share. */
abstract class GithubRepo {
  protected readonly api: GithubApi;

  constructor(
    protected readonly repo: { readonly owner: string; readonly repo: string },
    opts: GithubOptions,
  ) {
    this.api = new GithubApi(opts);
  }

  protected get where(): string {
    return `the repository ${this.repo.owner}/${this.repo.repo}`;
  }
}

export class GithubIssues extends GithubRepo implements Tracker {
  readonly kind = "github" as const;
  readonly name = "GitHub";

  private issueOf(i: { number: number; html_url: string }): TrackerIssue {
    return { id: String(i.number), key: `#${i.number}`, url: i.html_url };
  }

  async findByMarker(itemId: number, since: Date): Promise<TrackerIssue | undefined> {
    const after = since.getTime() - 60_000;
    for (let page = 1; page <= FIND_PAGES; page++) {
      const { data } = await this.api.call(false, this.where, (signal) =>
        this.api.octokit.rest.issues.listForRepo({ ...this.repo, state: "all", sort: "created", direction: "desc", per_page: 100, page, request: { signal } }),
      );
      for (const i of data) {
        if (i.pull_request) continue;
        if (hasMarker(i.body, itemId)) return this.issueOf(i);
      }
      const oldest = data.at(-1);
      if (data.length < 100 || !oldest || Date.parse(oldest.created_at) < after) return undefined;
    }
    return undefined;
  }

  async create(issue: NewIssue): Promise<TrackerIssue> {
    const { data } = await this.api.call(true, this.where, (signal) =>
      this.api.octokit.rest.issues.create({
        ...this.repo,
        title: issue.title,
        body: issue.bodyLines.join("\n"),
        labels: [...issue.labels],
        ...(issue.assignee ? { assignees: [issue.assignee] } : {}),
        request: { signal },
      }),
    );
    return this.issueOf(data);
  }

  async assigneeFor(email: string): Promise<string | undefined> {
    const { data } = await this.api.call(false, "the user search", (signal) => this.api.octokit.rest.search.users({ q: `${email} in:email`, per_page: 2, request: { signal } }));
    // only an unambiguous match: one account with that public e-mail
    return data.items.length === 1 ? data.items[0]?.login : undefined;
  }

  async close(issue: Pick<TrackerIssue, "id" | "key">): Promise<void> {
    await this.api.call(true, `issue ${issue.key} in ${this.where}`, (signal) =>
      this.api.octokit.rest.issues.update({ ...this.repo, issue_number: Number(issue.id), state: "closed", state_reason: "completed", request: { signal } }),
    );
  }
}

/** A file's place in a repository: its sha (to update it) and its page. */
export interface RepoFile {
  readonly sha: string;
  readonly url: string;
  /** The file's text, when it was read (not after a write). */
  readonly text?: string;
}

/** The contents API: a repository's default branch, a file's sha, and one commit writing a file. */
export class GithubContents extends GithubRepo {
  private defaultBranch: string | undefined;

  async branch(configured: string | undefined): Promise<string> {
    if (configured) return configured;
    if (this.defaultBranch) return this.defaultBranch;
    const { data } = await this.api.call(false, this.where, (signal) => this.api.octokit.rest.repos.get({ ...this.repo, request: { signal } }));
    this.defaultBranch = data.default_branch;
    return data.default_branch;
  }

  /** The file at `path` on `branch`; undefined when there is none. */
  async file(path: string, branch: string): Promise<RepoFile | undefined> {
    try {
      const { data } = await this.api.call(false, `${path} in ${this.where}`, (signal) => this.api.octokit.rest.repos.getContent({ ...this.repo, path, ref: branch, request: { signal } }));
      if (Array.isArray(data) || data.type !== "file") throw new TrackerError(`GitHub: ${path} in ${this.where} is a folder, not a file`, false);
      const text = data.content && data.encoding === "base64" ? Buffer.from(data.content, "base64").toString("utf8") : undefined;
      return { sha: data.sha, url: data.html_url ?? "", ...(text !== undefined ? { text } : {}) };
    } catch (err) {
      if (err instanceof TrackerError && err.status === 404) return undefined;
      throw err;
    }
  }

  /** One commit writing `text` to `path` (an update when `sha` is the file's current one). */
  async put(path: string, branch: string, text: string, message: string, sha?: string): Promise<RepoFile> {
    const { data } = await this.api.call(true, `${path} in ${this.where}`, (signal) =>
      this.api.octokit.rest.repos.createOrUpdateFileContents({
        ...this.repo,
        path,
        branch,
        message,
        content: Buffer.from(text, "utf8").toString("base64"),
        ...(sha ? { sha } : {}),
        request: { signal },
      }),
    );
    return { sha: data.content?.sha ?? "", url: data.content?.html_url ?? "" };
  }
}

/** The contents API of `postmortem_repo:`. */
export function postmortemContents(s: { readonly owner: string; readonly repo: string; readonly apiUrl: string; readonly token: string; readonly tokenEnv: string }): GithubContents {
  return new GithubContents({ owner: s.owner, repo: s.repo }, { apiUrl: s.apiUrl, token: s.token, tokenEnv: s.tokenEnv });
}
