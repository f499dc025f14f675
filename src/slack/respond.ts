// Posting to an interaction's response_url (ephemeral follow-ups to the person who acted), outside
// Bolt's listener scope, e.g. from a job after the declaration's channel is ready.

export class ResponseUrlError extends Error {}

export async function postToResponseUrl(url: string, body: Record<string, unknown>, timeoutMs = 5000): Promise<void> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json; charset=utf-8" },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  // response_url answers 404 once expired (30 minutes, 5 uses)
  if (!res.ok) throw new ResponseUrlError(`response_url answered HTTP ${res.status}`);
}
