// The tracker `followups:` names, as a client.

import type { TrackerSettings } from "../config/sections/followups.ts";
import { GithubIssues } from "./github.ts";
import { JiraIssues } from "./jira.ts";
import { LinearIssues } from "./linear.ts";
import type { Tracker } from "./tracker.ts";

export function trackerFor(settings: TrackerSettings): Tracker {
  switch (settings.kind) {
    case "github":
      return new GithubIssues({ owner: settings.owner, repo: settings.repo }, { apiUrl: settings.apiUrl, token: settings.token, tokenEnv: settings.tokenEnv });
    case "jira":
      return new JiraIssues(settings);
    case "linear":
      return new LinearIssues(settings);
  }
}
