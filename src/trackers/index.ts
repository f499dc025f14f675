// The tracker `followups:` names, as a client. Each SDK is large, so only the configured one is loaded.

import type { PostmortemRepoSettings, TrackerSettings } from "../config/sections/followups.ts";
import type { GithubContents } from "./github.ts";
import type { Tracker } from "./tracker.ts";

export async function loadTracker(settings: TrackerSettings): Promise<Tracker> {
  switch (settings.kind) {
    case "github": {
      const { GithubIssues } = await import("./github.ts");
      return new GithubIssues({ owner: settings.owner, repo: settings.repo }, { apiUrl: settings.apiUrl, token: settings.token, tokenEnv: settings.tokenEnv });
    }
    case "jira": {
      const { JiraIssues } = await import("./jira.ts");
      return new JiraIssues(settings);
    }
    case "linear": {
      const { LinearIssues } = await import("./linear.ts");
      return new LinearIssues(settings);
    }
  }
}

/** The repository postmortems are committed to (`postmortem_repo:`), through GitHub's SDK loaded now. */
export async function loadPostmortemRepo(settings: PostmortemRepoSettings): Promise<GithubContents> {
  const { postmortemContents } = await import("./github.ts");
  return postmortemContents(settings);
}
