// Wires every listener to the app.

import type { App } from "@slack/bolt";
import type { Deps } from "../../deps.ts";
import { registerCommand } from "./command.ts";

export function registerListeners(app: App, deps: Deps): void {
  registerCommand(app, deps.config.incident.severities, {}, deps.log);
}
