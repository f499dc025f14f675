// Every action_id, block_id, callback_id and button value the bot uses, in one place: builders emit
// them through these names and encoders, listeners match and decode them here, nothing else spells
// them. A value comes back from Slack, so every decoder checks its shape (the listener still
// validates what it means).

import type { Role } from "../domain/roles.ts";

export const CALLBACK = {
  declareModal: "warroom.declare",
  updateModal: "warroom.update",
  resolveModal: "warroom.resolve",
  addToTimeline: "warroom.add_to_timeline",
  /** The severity assessment, pushed over the declare form. */
  assessModal: "warroom.assess",
  timestampsModal: "warroom.timestamps",
  /** A triage item's Decline form (why); private_metadata: the alert group id. */
  declineModal: "warroom.triage_decline",
  /** A triage item's Merge form (which incident); private_metadata: the alert group id. */
  mergeModal: "warroom.triage_merge",
  /** The status page form; private_metadata: the incident id. */
  statuspageModal: "warroom.statuspage",
} as const;

export const ACTION = {
  /** Opening-message buttons, one per role (`warroom.take_role:<role>`); value: roleButton. */
  takeRole: "warroom.take_role",
  /** Opening-message user pickers; the role and incident are in the row's block_id (roleRowBlock). */
  assignRole: "warroom.assign_role",
  /** A reminder's "Post update": value = the incident id. */
  postUpdate: "warroom.post_update",
  /** A reminder's "Snooze 15 min": value: reminderButton. */
  snooze: "warroom.snooze",
  /** value = the action item's id. */
  actionItemDone: "warroom.action_item_done",
  actionItemExport: "warroom.action_item_export",
  /** value = the incident id. */
  postmortemDone: "warroom.postmortem_done",
  declareFromHome: "warroom.declare_from_home",
  /** The checklist's checkboxes, one element per section (`warroom.checklist:<k>`); the block id names the incident. */
  checklist: "warroom.checklist",
  /** The declare form's "Help me choose" button (opens the severity assessment). */
  assessSeverity: "warroom.assess_severity",
  /** A triage message's buttons: value = the alert group id. */
  triageDeclare: "warroom.triage_declare",
  triageDecline: "warroom.triage_decline",
  triageMerge: "warroom.triage_merge",
  /** After a resolve, "Resolve it on the status page": value = the incident id. */
  statuspageResolve: "warroom.statuspage_resolve",
  /** The update form's "Draft with AI": value = the incident id. */
  draftUpdate: "warroom.draft_update",
} as const;

/** A checklist section's checkboxes; action ids must be unique within a message. */
export function checklistAction(section: number): string {
  return `${ACTION.checklist}:${section}`;
}

export function isChecklistAction(actionId: string): boolean {
  return actionId.startsWith(`${ACTION.checklist}:`);
}

/** The take button of one role. */
export function takeRoleAction(role: Role): string {
  return `${ACTION.takeRole}:${role}`;
}

export function isTakeRoleAction(actionId: string): boolean {
  return actionId.startsWith(`${ACTION.takeRole}:`);
}

/** Input blocks of the modals; a field error is keyed by the block id. */
export const BLOCK = {
  title: "title",
  severity: "severity",
  impact: "impact",
  detection: "detection",
  // the Incident Commander picker; "commander" on the wire, so a form opened before an upgrade still submits
  ic: "commander",
  private: "private",
  status: "status",
  summary: "summary",
  rootCause: "root_cause",
  /** The Decline form's reason, and the Merge form's incident picker. */
  declineReason: "decline_reason",
  mergeInto: "merge_into",
  /** The status page form. */
  publicName: "public_name",
  publicStatus: "public_status",
  publicBody: "public_body",
  publicImpact: "public_impact",
  publicComponents: "public_components",
  publicPageComponents: "public_page_components",
  publicTargets: "public_targets",
} as const;

/** The single element inside each input block. */
export const INPUT = "value";

// ---------- blocks of messages ----------

/** A role's row in the opening message: the picker inside it assigns that role of that incident. */
export function roleRowBlock(role: Role, incidentId: string): string {
  return `role:${role}:${incidentId}`;
}

export function parseRoleRowBlock(blockId: string): { role: string; incidentId: string } | undefined {
  const m = /^role:([a-z]+):([0-9a-f-]{36})$/.exec(blockId);
  return m ? { role: m[1] as string, incidentId: m[2] as string } : undefined;
}

/** A section of the checklist message. */
export const checklistBlock = (incidentId: string, section: number) => `checklist:${incidentId}:${section}`;

export function parseChecklistBlock(blockId: string): { incidentId: string; section: number } | undefined {
  const m = /^checklist:([0-9a-f-]{36}):(\d+)$/.exec(blockId);
  return m ? { incidentId: m[1] as string, section: Number(m[2]) } : undefined;
}

/** The declare form's "Help me choose" row. */
export const assessBlock = "assess";

/**
 * The declare form's severity block. After a suggestion it gets a new id, so Slack shows the
 * suggested severity instead of keeping what was picked before (it keeps an input's value while its
 * ids stay the same).
 */
export function severityBlock(suggested?: string): string {
  return suggested ? `${BLOCK.severity}:${suggested}` : BLOCK.severity;
}

export function isSeverityBlock(blockId: string): boolean {
  return blockId === BLOCK.severity || blockId.startsWith(`${BLOCK.severity}:`);
}

/**
 * The update form's summary and status blocks after the n-th draft: new ids, so Slack shows the
 * drafted text and status instead of keeping what was in the fields (as with severityBlock).
 */
export function draftedBlock(block: typeof BLOCK.summary | typeof BLOCK.status, draft: number): string {
  return draft > 0 ? `${block}:draft${draft}` : block;
}

/** The id a submitted form's `block` has now (drafted or not), if it has one. */
export function findDraftedBlock(values: Readonly<Record<string, unknown>>, block: typeof BLOCK.summary | typeof BLOCK.status): string | undefined {
  return Object.keys(values).find((k) => k === block || /^[a-z_]+:draft\d+$/.test(k) && k.startsWith(`${block}:`));
}

/** Which draft a form shows (0: none), read back from its summary block's id. */
export function draftNumber(blockIds: readonly string[]): number {
  const n = blockIds.map((id) => /^summary:draft(\d+)$/.exec(id)?.[1]).find((x) => x !== undefined);
  return n === undefined ? 0 : Number(n);
}

/** The update form's row with "Draft with AI", and the line under it saying how the draft went. */
export const draftBlock = "draft";
export const draftNoteBlock = "draft_note";

/** A triage message's buttons. */
export const triageBlock = (groupId: string) => `triage:${groupId}`;

/** An alert group's id, as a button value or a form's private_metadata. */
export function decodeGroupId(value: string): string | undefined {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(value) ? value : undefined;
}

/** The opening message's row of take buttons. */
export const takeButtonsBlock = (incidentId: string) => `take:${incidentId}`;
/** A reminder's buttons, per plan. */
export const reminderBlock = (incidentId: string, epoch: number) => `reminder:${incidentId}:${epoch}`;
/** The "postmortem ready" message's button. */
export const postmortemBlock = (incidentId: string) => `postmortem:${incidentId}`;
/** The postmortem reminder's button (1: halfway, 2: overdue). */
export const postmortemReminderBlock = (incidentId: string, overdue: boolean) => `pmreminder:${incidentId}:${overdue ? 2 : 1}`;
/** The closing nudge's button. */
export const closureNudgeBlock = (incidentId: string) => `nudge:${incidentId}`;

// ---------- button values ----------

export interface RoleButtonValue {
  incidentId: string;
  role: string;
  /** The holder shown when the button was rendered; a click is refused if it changed since. */
  expected: string | null;
}

export function encodeRoleButton(v: RoleButtonValue): string {
  return [v.incidentId, v.role, v.expected ?? "-"].join("|");
}

export function decodeRoleButton(value: string): RoleButtonValue | undefined {
  const [incidentId, role, expected, ...rest] = value.split("|");
  if (!incidentId || !role || expected === undefined || rest.length > 0) return undefined;
  return { incidentId, role, expected: expected === "-" ? null : expected };
}

/** A reminder's snooze button names the plan (epoch) it was sent for; a later plan makes it stale. */
export function encodeReminderButton(incidentId: string, epoch: number): string {
  return `${incidentId}|${epoch}`;
}

export function decodeReminderButton(value: string): { incidentId: string; epoch: number } | undefined {
  const m = /^([0-9a-f-]{36})\|(\d+)$/.exec(value);
  return m ? { incidentId: m[1] as string, epoch: Number(m[2]) } : undefined;
}
