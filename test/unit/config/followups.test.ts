// `followups:` and `postmortem_repo:` as the file says them: one tracker, its token from the variable
// named (a missing one stops the start, naming it and the line), no token in the file, defaults.

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../../src/config/index.ts";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "warroom-followups-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const BASE = { SLACK_BOT_TOKEN: "xoxb-1-2-abc", SLACK_SIGNING_SECRET: "s3cret" };

function withFile(yaml: string, env: Record<string, string> = {}) {
  const file = path.join(dir, `c${Math.random().toString(36).slice(2)}.yml`);
  fs.writeFileSync(file, yaml);
  return { ...BASE, INCIDENT_CONFIG: file, ...env };
}

function problem(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).not.toContain("\n");
    return (err as Error).message;
  }
  throw new Error("expected a configuration error");
}

describe("followups:", () => {
  it("reads GitHub with its defaults: button, [incident], close upstream, api.github.com, GITHUB_TOKEN", () => {
    const c = loadConfig(withFile("followups:\n  github: { repo: acme/platform }\n", { GITHUB_TOKEN: "ghp_abc" }));
    expect(c.incident.followups).toEqual({ export: "button", labels: ["incident"], closeUpstream: true, tracker: { kind: "github", owner: "acme", repo: "platform", apiUrl: "https://api.github.com", token: "ghp_abc", tokenEnv: "GITHUB_TOKEN" } });
  });

  it("reads Jira and Linear with theirs", () => {
    const jira = loadConfig(withFile("followups:\n  jira: { base_url: https://acme.atlassian.net/, project_key: OPS }\n  export: always\n  close_upstream: false\n", { JIRA_EMAIL: "bot@acme.test", JIRA_API_TOKEN: "ATATT1" }));
    expect(jira.incident.followups).toMatchObject({ export: "always", closeUpstream: false, tracker: { kind: "jira", baseUrl: "https://acme.atlassian.net", projectKey: "OPS", issueType: "Task", email: "bot@acme.test" } });
    const linear = loadConfig(withFile("followups:\n  linear: { team_key: eng, token_env: LIN_KEY }\n", { LIN_KEY: "lin_api_1" }));
    expect(linear.incident.followups?.tracker).toEqual({ kind: "linear", teamKey: "ENG", apiUrl: "https://api.linear.app/graphql", token: "lin_api_1", tokenEnv: "LIN_KEY" });
  });

  it("stops the start when the token's variable is not set, naming it and its line", () => {
    expect(problem(withFile("timezone: UTC\nfollowups:\n  github: { repo: acme/platform, token_env: OPS_GITHUB_TOKEN }\n"))).toMatch(/line 3.*the environment variable OPS_GITHUB_TOKEN is not set/);
    expect(problem(withFile("followups:\n  jira: { base_url: https://acme.atlassian.net, project_key: OPS }\n", { JIRA_API_TOKEN: "x" }))).toContain("JIRA_EMAIL is not set");
  });

  it.each([
    ["followups:\n  github: { repo: acme/platform, token: ghp_secret }\n", /a token is never written in this file: .*token_env/],
    ["followups:\n  labels: [incident]\n", /name the tracker: one of github:, jira: or linear:/],
    ["followups:\n  github: { repo: acme/platform }\n  linear: { team_key: ENG }\n", /name one tracker, not github and linear/],
    ["followups:\n  github: { repo: platform }\n", /owner\/name, such as acme\/platform/],
    ["followups:\n  jira: { base_url: https://acme.atlassian.net, project_key: ops }\n", /a Jira project key/],
    ["followups:\n  github: { repo: acme/platform }\n  labels: [needs review]\n", /a label has no spaces/],
    ["followups:\n  github: { repo: acme/platform }\n  export: sometimes\n", /"button".*"always"/],
  ])("refuses %j", (yaml, message) => {
    const msg = problem(withFile(yaml, { GITHUB_TOKEN: "ghp_abc", LINEAR_API_KEY: "lin" }));
    expect(msg).toMatch(message);
    expect(msg).not.toContain("ghp_secret");
  });
});

describe("postmortem_repo:", () => {
  it("reads the repository, the folder without slashes, no branch (the repository's default) and include_private false", () => {
    const c = loadConfig(withFile("postmortem_repo:\n  github: acme/postmortems\n", { GITHUB_TOKEN: "ghp_abc" }));
    expect(c.incident.postmortemRepo).toEqual({ owner: "acme", repo: "postmortems", path: "postmortems", apiUrl: "https://api.github.com", token: "ghp_abc", tokenEnv: "GITHUB_TOKEN", includePrivate: false });
  });

  it("refuses a folder outside the repository and a missing token", () => {
    expect(problem(withFile("postmortem_repo:\n  github: acme/pm\n  path: ../elsewhere\n", { GITHUB_TOKEN: "x" }))).toContain("must stay inside the repository");
    expect(problem(withFile("postmortem_repo:\n  github: acme/pm\n"))).toContain("GITHUB_TOKEN is not set");
  });
});

describe("the trackers' webhook secrets", () => {
  it("open a door each, and a short one is refused", () => {
    expect(loadConfig({ ...BASE, GITHUB_WEBHOOK_SECRET: "0123456789abcdef0" }).trackerSecrets).toEqual({ github: "0123456789abcdef0" });
    expect(problem({ ...BASE, JIRA_WEBHOOK_SECRET: "short" })).toContain("JIRA_WEBHOOK_SECRET is too short");
  });
});
