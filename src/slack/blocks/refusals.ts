// The words for every "no" a decision can return. Each names the current state and what to do instead.

import { type Incident, incidentRef, type Refusal } from "../../domain/incident.ts";
import { STATUS_LABEL } from "../../domain/lifecycle.ts";
import { ROLE_INFO } from "../../domain/roles.ts";

export function refusalText(refusal: Refusal, incident: Incident, subject?: string): string {
  const ref = incidentRef(incident);
  switch (refusal.code) {
    case "already_holder": {
      const who = subject ? `<@${subject}>` : "They";
      return refusal.role === "responder" ? `${who} is already a responder on ${ref}.` : `${who} is already the ${ROLE_INFO[refusal.role].label} of ${ref}.`;
    }
    case "role_held":
      return `<@${refusal.holder}> is already the ${ROLE_INFO[refusal.role].label} of ${ref}. Ask them, or the Incident Commander, to reassign it (\`/incident role ${refusal.role} @someone\`).`;
    case "holder_changed":
      return `The ${ROLE_INFO[refusal.role].label} of ${ref} changed since that message was shown: it is now ${refusal.holder ? `<@${refusal.holder}>` : "unassigned"}. Nothing was changed; look again and retry if you still want it.`;
    case "only_ic_hands_off":
      return `Only the Incident Commander (<@${refusal.ic}>) can hand IC to someone else. To take it over yourself, press *Take over IC* in the pinned opening message (they will be told).`;
    case "handoff_to_self":
      return `You are already the Incident Commander of ${ref}.`;
    case "no_ic_to_take_over":
      return `${ref} has no Incident Commander: press *Take IC* to take it.`;
    case "not_open":
      return `${ref} is ${STATUS_LABEL[refusal.status].toLowerCase()}: reopen it first with \`/incident reopen <reason>\`.`;
    case "not_in_charge":
      return `Only the Incident Commander (<@${refusal.ic}>) can ${refusal.action} ${ref}. Ask them, or take over IC first with *Take over IC* in the pinned message (they will be told).`;
    case "same_severity":
      return `${ref} is already ${refusal.severity}.`;
    case "no_cadence":
      return `${ref} is ${refusal.severity}, which has no update cadence: there is no reminder to snooze.`;
    case "timestamps":
      return refusal.problems.map((p) => p.message).join(" ");
    case "stale_reminder":
      return `This reminder is out of date: ${ref} got an update (or a snooze) since. Nothing was changed.`;
    case "transition": {
      const r = refusal.refusal;
      const now = `*${STATUS_LABEL[r.current]}*`;
      switch (r.code) {
        case "same_status":
          return `${ref} is already ${now}.`;
        case "resolve_first":
          return `${ref} is ${now}: resolve it first with \`/incident resolve <summary>\`; closing means the postmortem is done.`;
        case "backwards":
          return r.current === "resolved" || r.current === "closed"
            ? `${ref} is ${now}. If things regress, reopen it with \`/incident reopen <reason>\`.`
            : `${ref} is ${now}; it can't go back to *${STATUS_LABEL[r.requested]}*. If the picture changed, say so with \`/incident update <text>\`.`;
        case "not_allowed":
          return `${ref} is ${now}; it can't move to *${STATUS_LABEL[r.requested]}* from there.`;
      }
    }
  }
}
