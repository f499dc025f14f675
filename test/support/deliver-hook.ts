// A webhook delivery as a tracker's sender makes it: the body POSTed with its headers, and the
// receiver's answer read back (JSON when it is JSON). The trackers' fakes (GitHub, Jira, Linear) use it.

export async function deliverHook(target: string, headers: Record<string, string>, payload: string, delivery: string): Promise<{ status: number; body: unknown; delivery: string }> {
  const res = await fetch(target, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: payload });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: the text as it came
  }
  return { status: res.status, body, delivery };
}
