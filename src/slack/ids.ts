// Every action_id, block_id and callback_id the bot uses, in one place. Listeners match on these;
// builders emit them; nothing else spells them.

export const CALLBACK = {
  declareModal: "warroom.declare",
  updateModal: "warroom.update",
  resolveModal: "warroom.resolve",
  addToTimeline: "warroom.add_to_timeline",
} as const;

export const ACTION = {
  /** Opening-message buttons: take a role yourself; value = "<incidentId>|<role>". */
  takeRole: "warroom.take_role",
  /** Opening-message overflow/button: open the user picker to assign a role to someone. */
  assignRole: "warroom.assign_role",
  postUpdate: "warroom.post_update",
  snooze: "warroom.snooze",
  actionItemDone: "warroom.action_item_done",
  postmortemDone: "warroom.postmortem_done",
  declareFromHome: "warroom.declare_from_home",
} as const;

/** Input blocks of the modals; a field error is keyed by the block id. */
export const BLOCK = {
  title: "title",
  severity: "severity",
  impact: "impact",
  detection: "detection",
  commander: "commander",
  private: "private",
  status: "status",
  summary: "summary",
  rootCause: "root_cause",
  assignee: "assignee",
  role: "role",
} as const;

/** The single element inside each input block. */
export const INPUT = "value";

export type ActionId = (typeof ACTION)[keyof typeof ACTION];
