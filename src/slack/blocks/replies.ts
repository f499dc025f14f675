// Short ephemeral replies: refusals, errors and confirmations.
import { sections } from "./format.ts";

export interface Message {
  text: string;
  blocks?: unknown[];
}

/** What was wrong, and (optionally) the right form. */
export function errorMessage(problem: string, usage?: string): Message {
  const text = usage ? `${problem}\n${usage}` : problem;
  return {
    text,
    blocks: [
      ...sections(`:warning: ${problem}`),
      ...(usage ? [{ type: "context", elements: [{ type: "mrkdwn", text: usage }] }] : []),
    ],
  };
}

export function infoMessage(text: string): Message {
  return { text, blocks: sections(text) };
}
