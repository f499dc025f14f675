// `status_page:`: the public status page Warroom serves itself at /status (product.md §19): its title,
// its components (each with an id the form and the JSON use, a name, and an optional group), the
// address it is reached at (for links in the feed and the JSON), and how many days of history it shows.
// Unset: every /status path answers 404.

import { z } from "zod";
import { httpUrl } from "./values.ts";

export const STATUS_PAGE_HISTORY_DEFAULT = 90;
const MAX_COMPONENTS = 50;

const text = (what: string, max: number) =>
  z
    .string({ error: `expected ${what}` })
    .trim()
    .min(1, `expected ${what}, not empty`)
    .max(max, `expected ${what} of at most ${max} characters`);

const component = z.strictObject(
  {
    id: z
      .string({ error: "expected an id such as api or eu-checkout" })
      .trim()
      .regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, "expected an id of lowercase letters, digits, - and _ (at most 40), such as api or eu-checkout"),
    name: text("the component's public name, such as API", 80),
    group: text("the group's public name, such as Europe", 80).optional(),
  },
  { error: "expected a component such as { id: api, name: API }" },
);

export const statusPageSchema = z.strictObject(
  {
    title: text("the page's title, such as Acme status", 100),
    components: z
      .array(component, { error: "expected a list of components such as [{ id: api, name: API }]" })
      .min(1, "expected at least one component")
      .max(MAX_COMPONENTS, `at most ${MAX_COMPONENTS} components`)
      .superRefine((list, ctx) => {
        const seen = new Set<string>();
        for (const [i, c] of list.entries()) {
          if (seen.has(c.id)) ctx.addIssue({ code: "custom", path: [i, "id"], message: `"${c.id}" is the id of an earlier component: each id once` });
          seen.add(c.id);
        }
      }),
    public_url: httpUrl("the page's public address, such as https://status.example.com").optional(),
    history_days: z
      .number({ error: "expected a number of days, such as 90" })
      .int("expected a whole number of days")
      .min(7, "expected at least 7 days")
      .max(365, "expected at most 365 days")
      .default(STATUS_PAGE_HISTORY_DEFAULT),
  },
  { error: "expected a mapping such as { title: Acme status, components: [{ id: api, name: API }] }" },
);

export interface StatusPageComponent {
  readonly id: string;
  readonly name: string;
  readonly group?: string;
}

export interface StatusPageSettings {
  readonly title: string;
  readonly components: readonly StatusPageComponent[];
  /** Without a trailing slash, e.g. https://status.example.com; unset: links are relative. */
  readonly publicUrl?: string;
  readonly historyDays: number;
}

export function readStatusPage(raw: z.output<typeof statusPageSchema>): StatusPageSettings {
  return {
    title: raw.title,
    components: raw.components.map((c) => ({ id: c.id, name: c.name, ...(c.group ? { group: c.group } : {}) })),
    ...(raw.public_url ? { publicUrl: raw.public_url.replace(/\/+$/, "") } : {}),
    historyDays: raw.history_days,
  };
}
