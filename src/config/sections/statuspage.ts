// `statuspage:`: the Atlassian Statuspage page published to (its key is STATUSPAGE_API_KEY).

import { z } from "zod";
import { httpUrl } from "./values.ts";

export const statuspageSchema = z.strictObject(
  {
    page_id: z.string({ error: "expected your Statuspage page id (from the page's API info)" }).trim().regex(/^[a-z0-9]{6,40}$/i, "expected your Statuspage page id, letters and digits"),
    api_url: httpUrl("Statuspage's API base").default("https://api.statuspage.io/v1/"),
  },
  { error: "expected a mapping such as { page_id: abc123def456 }" },
);

/** The page and the API's base, which always ends in a slash. */
export function readStatuspage(raw: z.output<typeof statuspageSchema>): { pageId: string; apiUrl: string } {
  return { pageId: raw.page_id, apiUrl: raw.api_url.endsWith("/") ? raw.api_url : `${raw.api_url}/` };
}
