// `statuspage:`: the Atlassian Statuspage page published to (its key is STATUSPAGE_API_KEY).

import { z } from "zod";
import { httpUrl } from "./values.ts";

export const statuspageSchema = z.strictObject(
  {
    page_id: z
      .string({ error: "expected your Statuspage page id (from the page's API info)" })
      .trim()
      .superRefine((id, ctx) => {
        const rule = "expected your Statuspage page id: 6 to 40 letters and digits";
        if (!/^[a-z0-9]*$/i.test(id)) ctx.addIssue({ code: "custom", message: `${rule}, nothing else (from the page's API info)` });
        else if (id.length < 6 || id.length > 40) ctx.addIssue({ code: "custom", message: `${rule} (got ${id.length} characters)` });
      }),
    api_url: httpUrl("Statuspage's API base").default("https://api.statuspage.io/v1/"),
  },
  { error: "expected a mapping such as { page_id: abc123def456 }" },
);

/** The page and the API's base, which always ends in a slash. */
export function readStatuspage(raw: z.output<typeof statuspageSchema>): { pageId: string; apiUrl: string } {
  return { pageId: raw.page_id, apiUrl: raw.api_url.endsWith("/") ? raw.api_url : `${raw.api_url}/` };
}
