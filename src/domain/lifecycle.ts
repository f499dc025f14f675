// The incident lifecycle as a transition table: investigating → identified → monitoring → resolved
// → closed. Forward moves may skip, with one exception: closing means the postmortem is done, so only
// a resolved incident closes (closing an active one would skip the resolution and leave reminders
// running). resolved → investigating is a reopen; closed leaves only by a reopen from the IC.
// Everything else is refused with the current state named.

export const STATUSES = ["investigating", "identified", "monitoring", "resolved", "closed"] as const;
export type Status = (typeof STATUSES)[number];

/** States a responder may set with `/incident status`; resolving and closing have their own commands. */
export const ACTIVE_STATUSES = ["investigating", "identified", "monitoring"] as const;
export type ActiveStatus = (typeof ACTIVE_STATUSES)[number];

export type Transition = "progress" | "resolve" | "close" | "reopen";

/** Every allowed move: from → to → what kind of move it is. */
const TABLE: Readonly<Record<Status, Partial<Record<Status, Transition>>>> = {
  investigating: { identified: "progress", monitoring: "progress", resolved: "resolve" },
  identified: { monitoring: "progress", resolved: "resolve" },
  monitoring: { resolved: "resolve" },
  resolved: { investigating: "reopen", closed: "close" },
  closed: { investigating: "reopen" },
};

export const STATUS_LABEL: Readonly<Record<Status, string>> = {
  investigating: "Investigating",
  identified: "Identified",
  monitoring: "Monitoring (mitigated)",
  resolved: "Resolved",
  closed: "Closed",
};

export type TransitionRefusal =
  | { code: "same_status"; current: Status }
  | { code: "backwards"; current: Status; requested: Status }
  | { code: "resolve_first"; current: Status }
  | { code: "not_allowed"; current: Status; requested: Status };

export type TransitionResult = { ok: true; kind: Transition } | { ok: false; refusal: TransitionRefusal };

export function transition(current: Status, requested: Status): TransitionResult {
  if (current === requested) return { ok: false, refusal: { code: "same_status", current } };
  const kind = TABLE[current][requested];
  if (kind) return { ok: true, kind };
  if (requested === "closed" && isOpen(current)) return { ok: false, refusal: { code: "resolve_first", current } };
  const backwards = STATUSES.indexOf(requested) < STATUSES.indexOf(current);
  return { ok: false, refusal: { code: backwards ? "backwards" : "not_allowed", current, requested } };
}

export function isOpen(status: Status): boolean {
  return status !== "resolved" && status !== "closed";
}

