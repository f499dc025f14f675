// Wires every listener to the app.

import type { App } from "@slack/bolt";
import type { Ctx } from "../../../incidents/context.ts";
import { registerAssessmentListeners } from "./assessment.ts";
import { registerChecklistListeners } from "./checklist.ts";
import { registerCommand } from "./command.ts";
import { registerDeclareModal } from "./declare-modal.ts";
import { registerHomeListeners } from "./home.ts";
import { incidentCommandHandlers } from "./incident-commands.ts";
import { registerResolveListeners } from "./resolve.ts";
import { registerRoleActions } from "./role-actions.ts";
import { registerTimelineListeners } from "./timeline.ts";
import { registerUnhandledFilter } from "./unhandled.ts";
import { registerTimestampsListeners } from "./timestamps.ts";
import { registerStatuspageListeners } from "./statuspage.ts";
import { registerTriageListeners } from "./triage.ts";
import { registerUpdateListeners } from "./updates.ts";

export function registerListeners(app: App, ctx: Ctx): void {
  registerUnhandledFilter(app, ctx.log);
  registerCommand(app, ctx.config.incident.severities, incidentCommandHandlers(ctx), ctx.log, ctx.clock);
  registerDeclareModal(app, ctx);
  registerRoleActions(app, ctx);
  registerUpdateListeners(app, ctx);
  registerTimelineListeners(app, ctx);
  registerHomeListeners(app, ctx);
  registerResolveListeners(app, ctx);
  registerChecklistListeners(app, ctx);
  registerAssessmentListeners(app, ctx);
  registerTimestampsListeners(app, ctx);
  registerTriageListeners(app, ctx);
  registerStatuspageListeners(app, ctx);
}
