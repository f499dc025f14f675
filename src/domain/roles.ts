// Incident roles (from the response framework): who is in charge, who leads the technical work, who talks to
// stakeholders, who keeps the record, and the responders. Each role carries the brief its new
// holder receives: what they do and what they don't.

export const SINGLE_ROLES = ["ic", "tech", "comms", "scribe"] as const;
export type SingleRole = (typeof SINGLE_ROLES)[number];
export type Role = SingleRole | "responder";
export const ROLES = [...SINGLE_ROLES, "responder"] as const satisfies readonly Role[];

export interface RoleInfo {
  readonly role: Role;
  readonly label: string;
  readonly short: string;
  /** Words a user may type for this role in `/incident role <role> @user`. */
  readonly aliases: readonly string[];
  readonly responsibility: string;
  readonly does: readonly string[];
  readonly doesNot: readonly string[];
}

export const ROLE_INFO: Readonly<Record<Role, RoleInfo>> = {
  ic: {
    role: "ic",
    label: "Incident Commander",
    short: "IC",
    aliases: ["ic", "commander", "incident-commander", "lead"],
    responsibility:
      "Owns the incident end-to-end: makes decisions, coordinates responders, keeps the update cadence and declares resolution.",
    does: [
      "Assess severity and assemble the response team",
      "Assign tasks and roles explicitly",
      "Make decisions when the team is stuck (escalate? roll back? communicate?)",
      "Ensure regular status updates, even when the status is unchanged",
      "Declare the incident resolved and initiate the postmortem",
    ],
    doesNot: [
      "Debug code (unless they are the only responder)",
      "Write customer communications (that's the Comms Lead)",
      "Get pulled into technical rabbit holes",
    ],
  },
  tech: {
    role: "tech",
    label: "Tech Lead",
    short: "Tech Lead",
    aliases: ["tech", "techlead", "tech-lead", "technical-lead", "tl"],
    responsibility: "Leads the technical investigation and resolution.",
    does: [
      "Investigate the root cause",
      "Coordinate debugging across responders",
      "Implement fixes or workarounds",
      "Communicate technical status to the IC",
    ],
    doesNot: ["Manage the overall incident (that's the IC)", "Write stakeholder communications"],
  },
  comms: {
    role: "comms",
    label: "Comms Lead",
    short: "Comms Lead",
    aliases: ["comms", "commslead", "comms-lead", "communications", "cl"],
    responsibility: "Owns all stakeholder communication, internal and external.",
    does: [
      "Draft and send internal updates",
      "Update the external status page",
      "Coordinate with customer support on messaging",
      "Handle executive inquiries",
    ],
    doesNot: ["Debug or fix the technical issue", "Make decisions about the incident response"],
  },
  scribe: {
    role: "scribe",
    label: "Scribe",
    short: "Scribe",
    aliases: ["scribe", "notes", "note-taker"],
    responsibility: "Maintains the incident timeline and captures key decisions.",
    does: [
      "Record timestamps, actions and findings (pin messages or react with :pushpin: to add them to the timeline)",
      "Capture decisions and their reasoning",
      "Prepare the timeline for the postmortem",
    ],
    doesNot: ["Lead the investigation", "Make decisions about the incident response"],
  },
  responder: {
    role: "responder",
    label: "Responder",
    short: "Responder",
    aliases: ["responder", "responders", "sme"],
    responsibility: "Investigates and resolves the incident under the Tech Lead's coordination.",
    does: [
      "Investigate assigned areas",
      "Report findings to the Tech Lead",
      "Implement fixes as directed",
      "Document actions in the incident timeline",
    ],
    doesNot: ["Start work the Tech Lead has not coordinated", "Talk to stakeholders directly"],
  },
};

export function parseRole(token: string): Role | undefined {
  const t = token.toLowerCase().replace(/_/g, "-");
  return ROLES.find((r) => ROLE_INFO[r].aliases.includes(t));
}

export function isSingleRole(role: Role): role is SingleRole {
  return role !== "responder";
}

/** A role's id as the bot writes it (in button values and block ids), checked. */
export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}
