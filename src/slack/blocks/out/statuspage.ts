// The status page in Slack: the form (public title, status, message, impact, affected components;
// for a private incident a warning first that the page is public), the confirmation with the public
// link, a failure said in the channel, and the question after a resolve with its button.

import { type Incident, incidentRef } from "../../../domain/incident.ts";
import { MAX_COMPONENTS, PUBLIC_BODY_MAX, PUBLIC_IMPACT_LABEL, PUBLIC_IMPACTS, PUBLIC_NAME_MAX, PUBLIC_STATUS_LABEL, PUBLIC_STATUSES, type Publication, type PublicImpact, type PublicStatus, type StatuspageRefusal } from "../../../domain/statuspage.ts";
import { escapeMrkdwn, truncate } from "../../../domain/text.ts";
import { ACTION, BLOCK, CALLBACK, INPUT } from "../../ids.ts";
import { sections } from "../format.ts";

type Msg = { text: string; blocks: unknown[] };

export interface PageComponent {
  readonly id: string;
  readonly name: string;
}

export interface StatuspageFormInput {
  /** What the form starts with: the last publication, or what the incident suggests. */
  readonly start: Publication;
  /** Atlassian Statuspage, when configured: its components (or why they could not be read) and the public incident's link. */
  readonly statuspage?: {
    readonly components: readonly PageComponent[] | { readonly error: string };
    readonly shortlink?: string | null | undefined;
  };
  /** The page Warroom serves itself, when configured: its title, components, and the public incident if it exists. */
  readonly ownPage?: {
    readonly title: string;
    readonly components: readonly PageComponent[];
    readonly componentIds: readonly string[];
    readonly link: string | null;
    readonly exists: boolean;
  };
}

/** The values of the "Publish to" checkboxes when both pages are configured. */
export const TARGET = { statuspage: "statuspage", ownPage: "own_page" } as const;

const option = (value: string, text: string) => ({ text: { type: "plain_text", text: truncate(text, 75) }, value });

function componentsBlock(blockId: string, label: string, components: readonly PageComponent[], selected: readonly string[]): unknown {
  const options = components.slice(0, MAX_COMPONENTS).map((c) => option(c.id, c.name));
  const initial = options.filter((o) => selected.includes(o.value));
  return {
    type: "input",
    block_id: blockId,
    optional: true,
    label: { type: "plain_text", text: truncate(label, 2000) },
    hint: { type: "plain_text", text: "They show the impact while the incident is open, and operational again once it is resolved." },
    element: { type: "multi_static_select", action_id: INPUT, placeholder: { type: "plain_text", text: "Pick components" }, options, ...(initial.length ? { initial_options: initial } : {}) },
  };
}

export function statuspageModal(incident: Incident, input: StatuspageFormInput): Record<string, unknown> {
  const { start, statuspage: remote, ownPage: own } = input;
  const both = Boolean(remote && own);
  const blocks: unknown[] = [];
  if (incident.isPrivate) {
    blocks.push({
      type: "section",
      text: { type: "mrkdwn", text: `:warning: *${incidentRef(incident)} is private, but the status page is public.* Everything you publish here is seen by everyone who visits the page. Say only what customers need to know.` },
    });
  }
  const says: string[] = [];
  if (remote) {
    says.push(
      remote.shortlink
        ? `This updates the public incident on Statuspage: <${remote.shortlink}|${escapeMrkdwn(remote.shortlink)}>. Subscribers are notified.`
        : "This creates an incident on the public status page (Statuspage); subscribers are notified. Later submissions update it.",
    );
  }
  if (own) {
    const where = escapeMrkdwn(own.title);
    says.push(
      own.exists
        ? `This updates the public incident on ${where}${own.link ? `: <${own.link}|${escapeMrkdwn(own.link)}>` : ""}.`
        : `This creates an incident on ${where}, the status page this bot serves; later submissions update it.`,
    );
  }
  blocks.push({ type: "context", elements: [{ type: "mrkdwn", text: says.join(" ") || "This publishes to the status page." }] });
  if (both && own) {
    const targets = [option(TARGET.statuspage, "Atlassian Statuspage"), option(TARGET.ownPage, own.title)];
    blocks.push({
      type: "input",
      block_id: BLOCK.publicTargets,
      label: { type: "plain_text", text: "Publish to" },
      element: { type: "checkboxes", action_id: INPUT, options: targets, initial_options: targets },
    });
  }
  blocks.push(
    {
      type: "input",
      block_id: BLOCK.publicName,
      label: { type: "plain_text", text: "Public title" },
      hint: { type: "plain_text", text: "What customers see. Say what is affected, not why." },
      element: { type: "plain_text_input", action_id: INPUT, max_length: PUBLIC_NAME_MAX, initial_value: truncate(start.name, PUBLIC_NAME_MAX) },
    },
    {
      type: "input",
      block_id: BLOCK.publicStatus,
      label: { type: "plain_text", text: "Status" },
      element: { type: "static_select", action_id: INPUT, options: PUBLIC_STATUSES.map((s) => option(s, PUBLIC_STATUS_LABEL[s])), initial_option: option(start.status, PUBLIC_STATUS_LABEL[start.status]) },
    },
    {
      type: "input",
      block_id: BLOCK.publicBody,
      label: { type: "plain_text", text: "Message" },
      hint: { type: "plain_text", text: "The update customers read: what they may notice, what you are doing, when they will hear next." },
      element: { type: "plain_text_input", action_id: INPUT, multiline: true, max_length: PUBLIC_BODY_MAX, ...(start.body ? { initial_value: truncate(start.body, PUBLIC_BODY_MAX) } : {}) },
    },
    {
      type: "input",
      block_id: BLOCK.publicImpact,
      label: { type: "plain_text", text: "Impact" },
      element: { type: "static_select", action_id: INPUT, options: PUBLIC_IMPACTS.map((i) => option(i, PUBLIC_IMPACT_LABEL[i])), initial_option: option(start.impact, PUBLIC_IMPACT_LABEL[start.impact]) },
    },
  );
  if (remote) {
    if ("error" in remote.components) {
      blocks.push({ type: "context", elements: [{ type: "mrkdwn", text: `:warning: Statuspage's components could not be read (${escapeMrkdwn(remote.components.error)}); this publication leaves them as they are there.` }] });
    } else if (remote.components.length > 0) {
      blocks.push(componentsBlock(BLOCK.publicComponents, both ? "Affected components on Statuspage" : "Affected components", remote.components, start.componentIds));
    }
  }
  if (own && own.components.length > 0) {
    blocks.push(componentsBlock(BLOCK.publicPageComponents, both ? `Affected components on ${own.title}` : "Affected components", own.components, own.componentIds));
  }
  const exists = Boolean(remote?.shortlink) || Boolean(own?.exists);
  return {
    type: "modal",
    callback_id: CALLBACK.statuspageModal,
    title: { type: "plain_text", text: "Status page" },
    submit: { type: "plain_text", text: exists ? "Update" : "Publish" },
    close: { type: "plain_text", text: "Cancel" },
    private_metadata: JSON.stringify({ incidentId: incident.id }),
    blocks,
  };
}

/** The confirmation in the incident channel: what was published, and the public link. */
export function publishedMessage(incident: Incident, p: { status: PublicStatus; impact: PublicImpact; body: string }, how: "created" | "updated" | "unchanged", link: string | null, by: string, pageName?: string): Msg {
  const ref = incidentRef(incident);
  const page = pageName ? escapeMrkdwn(pageName) : "the status page";
  const where = link ? ` <${link}|View it on the status page>.` : "";
  const text =
    how === "unchanged"
      ? `:globe_with_meridians: ${pageName ? page : "The status page"} already says this for ${ref} (*${PUBLIC_STATUS_LABEL[p.status]}*); nothing was published again.${where}`
      : `:globe_with_meridians: <@${by}> ${how === "created" ? "published" : "updated"} ${ref} on ${page}: *${PUBLIC_STATUS_LABEL[p.status]}*, ${PUBLIC_IMPACT_LABEL[p.impact].toLowerCase()} impact. "${escapeMrkdwn(truncate(p.body, 500))}"${where}`;
  return { text: text.replace(/\*/g, ""), blocks: sections(text) };
}

/** The timeline's entry for a publication (either page): who, what the page now says, and its link. */
export function publicationTimelineText(actor: string, how: "created" | "updated", p: { status: PublicStatus; impact: PublicImpact; body: string }, link: string | null): string {
  return `<@${actor}> ${how === "created" ? "published the incident on" : "updated"} the status page: ${PUBLIC_STATUS_LABEL[p.status]}, ${p.impact} impact: ${escapeMrkdwn(p.body)}${link ? ` (<${link}|public link>)` : ""}`;
}

/** A call to the status page that failed: said in the channel, with whether it is tried again. */
export function publishFailedMessage(incident: Incident, reason: string, retrying: boolean): Msg {
  const text = retrying
    ? `:warning: The status page did not take the update for ${incidentRef(incident)} (${escapeMrkdwn(reason)}). Trying again; nothing is published twice.`
    : `:x: The status page refused the update for ${incidentRef(incident)}: ${escapeMrkdwn(reason)}. Nothing was published. Fix it, then run \`/incident statuspage\` again.`;
  return { text, blocks: sections(text) };
}

/** After a resolve, while the public incident is still open: asks the IC, with a button. */
export function askResolvePublic(incident: Incident, ic: string | null, link: string | null): Msg {
  const text = `:globe_with_meridians: ${ic ? `<@${ic}>, ` : ""}${incidentRef(incident)} is resolved, but its incident on the status page is still open${link ? ` (<${link}|view it>)` : ""}. Resolve the public one too?`;
  return {
    text,
    blocks: [
      { type: "section", text: { type: "mrkdwn", text } },
      {
        type: "actions",
        elements: [{ type: "button", action_id: ACTION.statuspageResolve, style: "primary", text: { type: "plain_text", text: "Resolve it on the status page" }, value: incident.id }],
      },
    ],
  };
}

/** Why the status page form is not offered for an incident. */
export function statuspageRefusal(code: StatuspageRefusal, incident: Incident): string {
  return code === "drill"
    ? `${incidentRef(incident)} is a drill: drills never reach the status page.`
    : "The status page is not set up: add `status_page: { title: …, components: […] }` to the config file (the page this bot serves at /status), or `statuspage: { page_id: … }` with STATUSPAGE_API_KEY (Atlassian Statuspage), then restart the bot.";
}
