// Requests no listener here handles (an action id, a form or a shortcut this bot never made, an
// interaction type it does not use) are acknowledged at once and ignored, with a line in the log:
// otherwise Bolt would hold them for 3 seconds and Slack would show the person an error.

import type { AnyMiddlewareArgs, App } from "@slack/bolt";
import type { Logger } from "../../../log.ts";
import { ACTION, CALLBACK, isChecklistAction, isTakeRoleAction } from "../../../slack/ids.ts";

const VIEWS = new Set<string>(Object.values(CALLBACK).filter((c) => c !== CALLBACK.addToTimeline));
const SHORTCUTS = new Set<string>([CALLBACK.addToTimeline]);
const ACTIONS = new Set<string>(Object.values(ACTION));

function knownAction(actionId: unknown): boolean {
  return typeof actionId === "string" && (ACTIONS.has(actionId) || isTakeRoleAction(actionId) || isChecklistAction(actionId));
}

/** What an unhandled request is, for the log; undefined when a listener handles it. */
export function unhandled(body: unknown): { type: string; id?: string } | undefined {
  if (typeof body !== "object" || body === null) return { type: "unknown" };
  const b = body as Record<string, unknown>;
  // slash commands (any name: a team may rename /incident) and events are routed by their own code
  if (typeof b.command === "string" || b.type === "event_callback") return undefined;
  const type = typeof b.type === "string" ? b.type : "unknown";
  switch (type) {
    case "block_actions": {
      const actions = Array.isArray(b.actions) ? (b.actions as { action_id?: unknown }[]) : [];
      const unknown = actions.find((a) => !knownAction(a?.action_id));
      if (actions.length === 0) return { type };
      return unknown ? { type, id: String(unknown.action_id).slice(0, 100) } : undefined;
    }
    case "view_submission": {
      const id = (b.view as { callback_id?: unknown } | undefined)?.callback_id;
      return typeof id === "string" && VIEWS.has(id) ? undefined : { type, id: String(id).slice(0, 100) };
    }
    case "message_action":
    case "shortcut": {
      const id = b.callback_id;
      return typeof id === "string" && SHORTCUTS.has(id) ? undefined : { type, id: String(id).slice(0, 100) };
    }
    default:
      return { type: type.slice(0, 50) };
  }
}

export function registerUnhandledFilter(app: App, log: Logger): void {
  app.use(async (args: AnyMiddlewareArgs & { next: () => Promise<void> }) => {
    const what = unhandled(args.body);
    if (!what) {
      await args.next();
      return;
    }
    log.warn(what, "acknowledged and ignored a request this bot does not handle");
    if ("ack" in args && typeof args.ack === "function") await args.ack();
  });
}
