// Linear's GraphQL API through @linear/sdk's client (the API key in Authorization, its errors typed):
// the few operations Warroom needs, written out so each asks only for the fields it reads (Linear
// charges each query by its complexity). The team is found by its key, labels by name (made when
// missing), a user by e-mail, and an issue is closed by moving it to the team's first "completed"
// state. Linear's limits (requests and complexity points an hour, per key) answer RATELIMITED with
// a Retry-After: every call waits it out.

import { LinearClient, LinearError, LinearErrorType, RatelimitedLinearError } from "@linear/sdk";
import { z } from "zod";
import { hasMarker } from "../domain/followups.ts";
import type { LinearTracker } from "../config/sections/followups.ts";
import { type NewIssue, Pacer, reason, type Tracker, TrackerError, type TrackerIssue, TRACKER_TIMEOUT_MS } from "./tracker.ts";

const issueNode = z.object({ id: z.string(), identifier: z.string(), url: z.string() });
const FOUND = z.object({
  issues: z.object({ nodes: z.array(issueNode.extend({ description: z.string().nullish() })), pageInfo: z.object({ hasNextPage: z.boolean(), endCursor: z.string().nullish() }) }),
});
const TEAM = `query WarroomTeam($key: String!) { teams(filter: { key: { eq: $key } }) { nodes { id key } } }`;
const FIND = `query WarroomFind($teamId: ID!, $since: DateTimeOrDuration!, $after: String) {
  issues(filter: { team: { id: { eq: $teamId } }, createdAt: { gte: $since } }, first: 100, after: $after, orderBy: createdAt) {
    nodes { id identifier url description } pageInfo { hasNextPage endCursor } } }`;
const LABELS = `query WarroomLabels($names: [String!]!) { issueLabels(filter: { name: { in: $names } }, first: 100) { nodes { id name team { id } } } }`;
const LABEL_CREATE = `mutation WarroomLabel($input: IssueLabelCreateInput!) { issueLabelCreate(input: $input) { success issueLabel { id name } } }`;
const CREATE = `mutation WarroomCreate($input: IssueCreateInput!) { issueCreate(input: $input) { success issue { id identifier url } } }`;
const USER = `query WarroomUser($email: String!) { users(filter: { email: { eq: $email } }, first: 2) { nodes { id } } }`;
const STATES = `query WarroomStates($teamId: ID!) { workflowStates(filter: { team: { id: { eq: $teamId } }, type: { eq: "completed" } }) { nodes { id position } } }`;
const UPDATE = `mutation WarroomClose($id: String!, $input: IssueUpdateInput!) { issueUpdate(id: $id, input: $input) { success } }`;

export class LinearIssues implements Tracker {
  readonly kind = "linear" as const;
  readonly name = "Linear";
  private readonly client: LinearClient;
  private readonly pacer = new Pacer({ writeIntervalMs: 0, readIntervalMs: 0 });
  private teamId: Promise<string> | undefined;
  private readonly labelIds = new Map<string, string>();

  constructor(
    private readonly settings: Pick<LinearTracker, "teamKey" | "apiUrl" | "token" | "tokenEnv">,
    private readonly opts: { readonly timeoutMs?: number } = {},
  ) {
    this.client = new LinearClient({ apiKey: settings.token, apiUrl: settings.apiUrl });
  }

  private async call<S extends z.ZodType>(write: boolean, what: string, query: string, variables: Record<string, unknown>, shape: S): Promise<z.output<S>> {
    const data = await this.pacer.run(write, async () => {
      const timeout = this.opts.timeoutMs ?? TRACKER_TIMEOUT_MS;
      let timer: NodeJS.Timeout | undefined;
      try {
        const answer = this.client.client.rawRequest<unknown, Record<string, unknown>>(query, variables);
        const late = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new TrackerError(`Linear: no answer within ${timeout / 1000} s`, true)), timeout);
        });
        return (await Promise.race([answer, late])).data;
      } catch (err) {
        throw this.explain(err, what);
      } finally {
        clearTimeout(timer);
      }
    });
    const parsed = shape.safeParse(data);
    if (!parsed.success) throw new TrackerError(`Linear: an answer to ${what} that Warroom does not understand`, true);
    return parsed.data;
  }

  private explain(err: unknown, what: string): TrackerError {
    if (err instanceof TrackerError) return err;
    if (!(err instanceof LinearError)) return new TrackerError(`Linear: could not ${what} (${reason(err instanceof Error ? err.message : String(err))})`, true);
    const words = reason(err.errors?.map((e) => e.message).join("; ") || err.message);
    if (err instanceof RatelimitedLinearError || err.type === LinearErrorType.Ratelimited) {
      const wait = Math.min(15 * 60_000, Math.ceil(((err as RatelimitedLinearError).retryAfter ?? 60) * 1000));
      this.pacer.hold(wait);
      return new TrackerError(`Linear: rate limited; trying again in ${Math.ceil(wait / 1000)} s`, true, err.status, wait);
    }
    switch (err.type) {
      case LinearErrorType.AuthenticationError:
        return new TrackerError(`Linear: the API key was refused (${words}): check ${this.settings.tokenEnv}`, false, err.status);
      case LinearErrorType.Forbidden:
      case LinearErrorType.FeatureNotAccessible:
      case LinearErrorType.InvalidInput:
      case LinearErrorType.UserError:
      case LinearErrorType.GraphqlError:
      case LinearErrorType.UsageLimitExceeded:
        return new TrackerError(`Linear: ${words}`, false, err.status);
      default:
        // network errors, lock timeouts, Linear's own failures: worth another try
        return new TrackerError(`Linear: could not ${what} (${words})`, true, err.status);
    }
  }

  private team(): Promise<string> {
    this.teamId ??= this.call(false, "find the team", TEAM, { key: this.settings.teamKey }, z.object({ teams: z.object({ nodes: z.array(z.object({ id: z.string() })) }) })).then((d) => {
      const id = d.teams.nodes[0]?.id;
      if (!id) throw new TrackerError(`Linear: there is no team with the key ${this.settings.teamKey} (or the API key cannot see it)`, false);
      return id;
    });
    this.teamId.catch(() => (this.teamId = undefined));
    return this.teamId;
  }

  private issueOf(i: z.output<typeof issueNode>): TrackerIssue {
    return { id: i.id, key: i.identifier, url: i.url };
  }

  async findByMarker(itemId: number, since: Date): Promise<TrackerIssue | undefined> {
    const teamId = await this.team();
    const from = new Date(since.getTime() - 60_000).toISOString();
    let after: string | null = null;
    for (let page = 0; page < 5; page++) {
      const d: z.output<typeof FOUND> = await this.call(false, "search issues", FIND, { teamId, since: from, after }, FOUND);
      const hit = d.issues.nodes.find((i) => hasMarker(i.description, itemId));
      if (hit) return this.issueOf(hit);
      if (!d.issues.pageInfo.hasNextPage || !d.issues.pageInfo.endCursor) return undefined;
      after = d.issues.pageInfo.endCursor;
    }
    return undefined;
  }

  /** The labels' ids, in this team or the workspace; each missing one made in the team. */
  private async labels(names: readonly string[], teamId: string): Promise<string[]> {
    const missing = names.filter((n) => !this.labelIds.has(n.toLowerCase()));
    if (missing.length > 0) {
      const d = await this.call(false, "read labels", LABELS, { names: missing }, z.object({ issueLabels: z.object({ nodes: z.array(z.object({ id: z.string(), name: z.string(), team: z.object({ id: z.string() }).nullish() })) }) }));
      for (const l of d.issueLabels.nodes) if (!l.team || l.team.id === teamId) this.labelIds.set(l.name.toLowerCase(), l.id);
      for (const name of missing.filter((n) => !this.labelIds.has(n.toLowerCase()))) {
        const made = await this.call(true, `make the label ${name}`, LABEL_CREATE, { input: { name, teamId } }, z.object({ issueLabelCreate: z.object({ success: z.boolean(), issueLabel: z.object({ id: z.string() }).nullish() }) }));
        if (made.issueLabelCreate.issueLabel) this.labelIds.set(name.toLowerCase(), made.issueLabelCreate.issueLabel.id);
      }
    }
    return names.map((n) => this.labelIds.get(n.toLowerCase())).filter((id): id is string => id !== undefined);
  }

  async create(issue: NewIssue): Promise<TrackerIssue> {
    const teamId = await this.team();
    const labelIds = await this.labels(issue.labels, teamId);
    const d = await this.call(true, "create the issue", CREATE, {
      input: { teamId, title: issue.title, description: issue.bodyLines.join("\n"), labelIds, ...(issue.assignee ? { assigneeId: issue.assignee } : {}) },
    }, z.object({ issueCreate: z.object({ success: z.boolean(), issue: issueNode.nullish() }) }));
    if (!d.issueCreate.success || !d.issueCreate.issue) throw new TrackerError("Linear: the issue was not created (issueCreate answered success: false)", true);
    return this.issueOf(d.issueCreate.issue);
  }

  async assigneeFor(email: string): Promise<string | undefined> {
    const d = await this.call(false, "find the user", USER, { email }, z.object({ users: z.object({ nodes: z.array(z.object({ id: z.string() })) }) }));
    return d.users.nodes.length === 1 ? d.users.nodes[0]?.id : undefined;
  }

  async close(issue: Pick<TrackerIssue, "id" | "key">): Promise<void> {
    const teamId = await this.team();
    const d = await this.call(false, "read the team's states", STATES, { teamId }, z.object({ workflowStates: z.object({ nodes: z.array(z.object({ id: z.string(), position: z.number() })) }) }));
    const done = [...d.workflowStates.nodes].sort((a, b) => a.position - b.position)[0];
    if (!done) throw new TrackerError(`Linear: the team ${this.settings.teamKey} has no completed state to move ${issue.key} to`, false);
    const u = await this.call(true, `close ${issue.key}`, UPDATE, { id: issue.id, input: { stateId: done.id } }, z.object({ issueUpdate: z.object({ success: z.boolean() }) }));
    if (!u.issueUpdate.success) throw new TrackerError(`Linear: ${issue.key} was not moved (issueUpdate answered success: false)`, true);
  }
}
