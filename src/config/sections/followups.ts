// `followups:` (product.md §18): the one tracker action items become issues in — GitHub, Jira Cloud or
// Linear — and `postmortem_repo:`, the GitHub repository each postmortem is committed to. Tokens are
// read from the environment variables named here, never from the file; a missing one stops the start
// with its name and the line that names it.

import { z } from "zod";
import type { ConfigFile } from "../yaml-source.ts";
import { httpUrl } from "./values.ts";

export type TrackerKind = "github" | "jira" | "linear";

export interface GithubTracker {
  readonly kind: "github";
  readonly owner: string;
  readonly repo: string;
  readonly apiUrl: string;
  readonly token: string;
  readonly tokenEnv: string;
}

export interface JiraTracker {
  readonly kind: "jira";
  readonly baseUrl: string;
  readonly projectKey: string;
  readonly issueType: string;
  readonly email: string;
  readonly token: string;
  readonly tokenEnv: string;
}

export interface LinearTracker {
  readonly kind: "linear";
  readonly teamKey: string;
  readonly apiUrl: string;
  readonly token: string;
  readonly tokenEnv: string;
}

export type TrackerSettings = GithubTracker | JiraTracker | LinearTracker;

export interface FollowupSettings {
  readonly tracker: TrackerSettings;
  /** button: a *Create in …* button on each item; always: each item is exported when it is added. */
  readonly export: "button" | "always";
  /** Put on every issue, with the severity's id in lower case. */
  readonly labels: readonly string[];
  /** Marking an item done here closes its issue there. */
  readonly closeUpstream: boolean;
}

export interface PostmortemRepoSettings {
  readonly owner: string;
  readonly repo: string;
  /** Unset: the repository's default branch. */
  readonly branch?: string;
  /** The folder, without leading or trailing slashes ("" for the root). */
  readonly path: string;
  readonly apiUrl: string;
  readonly token: string;
  readonly tokenEnv: string;
  readonly includePrivate: boolean;
}

/** The tracker's name as people say it. */
export const TRACKER_NAMES: Record<TrackerKind, string> = { github: "GitHub", jira: "Jira", linear: "Linear" };

const envName = (what: string, example: string) =>
  z
    .string({ error: `expected the name of the environment variable that holds ${what}, such as ${example}` })
    .trim()
    .regex(/^[A-Za-z_][A-Za-z0-9_]{0,99}$/, `expected an environment variable's name, such as ${example}`);

/** A secret written in the file is refused by name, before anything else is read. */
const noSecretHere = (env: string) =>
  z
    .unknown()
    .refine(() => false, { error: `a token is never written in this file: put it in an environment variable and name that with ${env}` })
    .optional();

const repoRef = (what: string) =>
  z
    .string({ error: `expected ${what} as owner/name, such as acme/platform` })
    .trim()
    .regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/, `expected ${what} as owner/name, such as acme/platform`);

const githubSchema = z.strictObject(
  {
    repo: repoRef("the repository issues are created in"),
    token: noSecretHere("token_env"),
    token_env: envName("a GitHub token allowed to write issues", "GITHUB_TOKEN").default("GITHUB_TOKEN"),
    api_url: httpUrl("GitHub's API base (https://github.example.com/api/v3 for GitHub Enterprise Server)").default("https://api.github.com"),
  },
  { error: "expected a mapping such as { repo: acme/platform, token_env: GITHUB_TOKEN }" },
);

const jiraSchema = z.strictObject(
  {
    base_url: httpUrl("your Jira Cloud site, such as https://acme.atlassian.net"),
    project_key: z
      .string({ error: "expected the Jira project's key, such as OPS" })
      .trim()
      .regex(/^[A-Z][A-Z0-9_]{1,9}$/, "expected a Jira project key: an uppercase letter, then 1 to 9 uppercase letters, digits or _, such as OPS"),
    issue_type: z.string({ error: "expected an issue type's name, such as Task" }).trim().min(1, "expected an issue type's name, such as Task").max(60).default("Task"),
    email: noSecretHere("email_env"),
    token: noSecretHere("token_env"),
    email_env: envName("the e-mail address of the Atlassian account the token belongs to", "JIRA_EMAIL").default("JIRA_EMAIL"),
    token_env: envName("an Atlassian API token", "JIRA_API_TOKEN").default("JIRA_API_TOKEN"),
  },
  { error: "expected a mapping such as { base_url: https://acme.atlassian.net, project_key: OPS }" },
);

const linearSchema = z.strictObject(
  {
    team_key: z
      .string({ error: "expected the Linear team's key, such as ENG" })
      .trim()
      .regex(/^[A-Za-z0-9]{1,10}$/, "expected a Linear team key: 1 to 10 letters or digits, such as ENG")
      .transform((k) => k.toUpperCase()),
    token: noSecretHere("token_env"),
    token_env: envName("a Linear API key", "LINEAR_API_KEY").default("LINEAR_API_KEY"),
    api_url: httpUrl("Linear's GraphQL endpoint").default("https://api.linear.app/graphql"),
  },
  { error: "expected a mapping such as { team_key: ENG, token_env: LINEAR_API_KEY }" },
);

const label = z
  .string({ error: "expected a label, such as incident" })
  .trim()
  .min(1, "expected a label, not empty")
  .max(50, "a label is at most 50 characters")
  .regex(/^[^\s,]+$/, "a label has no spaces or commas (Jira refuses them), such as incident or follow-up");

export const followupsSchema = z.strictObject(
  {
    github: githubSchema.optional(),
    jira: jiraSchema.optional(),
    linear: linearSchema.optional(),
    export: z.enum(["button", "always"], { error: 'expected "button" (a Create button on each item) or "always" (every item exported when added)' }).default("button"),
    labels: z.array(label, { error: "expected a list of labels, such as [incident, follow-up]" }).max(20, "at most 20 labels").default(["incident"]),
    close_upstream: z.boolean({ error: "expected true or false" }).default(true),
  },
  { error: "expected a mapping with one of github:, jira: or linear:" },
);

export const postmortemRepoSchema = z.strictObject(
  {
    github: repoRef("the repository postmortems are committed to"),
    branch: z
      .string({ error: "expected a branch name, such as main" })
      .trim()
      .regex(/^(?!\/|.*\/\/|.*\.\.|.*\/$)[A-Za-z0-9._/-]{1,200}$/, "expected a branch name, such as main or docs/postmortems")
      .optional(),
    path: z
      .string({ error: "expected a folder in the repository, such as postmortems/" })
      .trim()
      .regex(/^[A-Za-z0-9._/ -]{0,200}$/, "expected a folder in the repository, such as postmortems/ or docs/incidents/")
      .refine((p) => !p.split("/").includes(".."), "must stay inside the repository (no ..)")
      .default("postmortems/"),
    token: noSecretHere("token_env"),
    token_env: envName("a GitHub token allowed to write contents", "GITHUB_TOKEN").default("GITHUB_TOKEN"),
    api_url: httpUrl("GitHub's API base (https://github.example.com/api/v3 for GitHub Enterprise Server)").default("https://api.github.com"),
    include_private: z.boolean({ error: "expected true or false" }).default(false),
  },
  { error: "expected a mapping such as { github: acme/postmortems, path: postmortems/ }" },
);

type Env = Readonly<Record<string, string | undefined>>;

function secretFrom(source: ConfigFile, env: Env, at: readonly PropertyKey[], name: string, what: string): string {
  const value = env[name]?.trim();
  if (!value) throw source.problem(at, `the environment variable ${name} is not set: it holds ${what}`);
  if (/\s/.test(value)) throw source.problem(at, `${name} contains whitespace: paste it again without spaces or line breaks (its value is not shown)`);
  return value;
}

const trimSlash = (u: string) => u.replace(/\/+$/, "");

/** `followups:`: exactly one tracker, its token read from the variable it names. */
export function readFollowups(source: ConfigFile, raw: z.output<typeof followupsSchema>, env: Env): FollowupSettings {
  const named = (["github", "jira", "linear"] as const).filter((k) => raw[k] !== undefined);
  if (named.length !== 1) {
    throw source.problem(["followups"], named.length === 0 ? "name the tracker: one of github:, jira: or linear:" : `name one tracker, not ${named.join(" and ")}: action items go to one place`);
  }
  const common = { export: raw.export, labels: [...new Set(raw.labels)], closeUpstream: raw.close_upstream };
  if (raw.github) {
    const g = raw.github;
    const [owner, repo] = g.repo.split("/") as [string, string];
    const token = secretFrom(source, env, ["followups", "github", "token_env"], g.token_env, `the GitHub token issues are created with (a fine-grained token with Issues: read and write on ${g.repo})`);
    return { ...common, tracker: { kind: "github", owner, repo, apiUrl: trimSlash(g.api_url), token, tokenEnv: g.token_env } };
  }
  if (raw.jira) {
    const j = raw.jira;
    const email = secretFrom(source, env, ["followups", "jira", "email_env"], j.email_env, "the e-mail address of the Atlassian account whose API token is used");
    const token = secretFrom(source, env, ["followups", "jira", "token_env"], j.token_env, "an Atlassian API token (id.atlassian.com → Security → API tokens)");
    return { ...common, tracker: { kind: "jira", baseUrl: trimSlash(j.base_url), projectKey: j.project_key, issueType: j.issue_type, email, token, tokenEnv: j.token_env } };
  }
  const l = raw.linear as z.output<typeof linearSchema>;
  const token = secretFrom(source, env, ["followups", "linear", "token_env"], l.token_env, "a Linear API key (Settings → Security & access → Personal API keys)");
  return { ...common, tracker: { kind: "linear", teamKey: l.team_key, apiUrl: l.api_url, token, tokenEnv: l.token_env } };
}

export function readPostmortemRepo(source: ConfigFile, raw: z.output<typeof postmortemRepoSchema>, env: Env): PostmortemRepoSettings {
  const [owner, repo] = raw.github.split("/") as [string, string];
  const token = secretFrom(source, env, ["postmortem_repo", "token_env"], raw.token_env, `the GitHub token postmortems are committed with (Contents: read and write on ${raw.github})`);
  return {
    owner,
    repo,
    ...(raw.branch ? { branch: raw.branch } : {}),
    path: raw.path.replace(/^\/+|\/+$/g, ""),
    apiUrl: trimSlash(raw.api_url),
    token,
    tokenEnv: raw.token_env,
    includePrivate: raw.include_private,
  };
}
