// Short ephemeral replies: refusals, errors and confirmations.

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
      { type: "section", text: { type: "mrkdwn", text: `:warning: ${problem}` } },
      ...(usage ? [{ type: "context", elements: [{ type: "mrkdwn", text: usage }] }] : []),
    ],
  };
}

export function infoMessage(text: string): Message {
  return { text, blocks: [{ type: "section", text: { type: "mrkdwn", text } }] };
}
