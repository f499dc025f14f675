// `ai:`: how much the assistant may send the model and whether private incidents go at all. The
// assistant itself is turned on by the environment (AI_BASE_URL and AI_MODEL, read in index.ts);
// without them this section changes nothing.

import { z } from "zod";

export const AI_MAX_INPUT_DEFAULT = 48_000;

export const aiSchema = z.strictObject(
  {
    max_input_chars: z
      .number({ error: "expected a number of characters, such as 48000" })
      .int("expected a whole number of characters")
      .min(2_000, "expected at least 2000 characters (the record alone needs some)")
      .max(2_000_000, "expected at most 2000000 characters")
      .default(AI_MAX_INPUT_DEFAULT),
    include_private: z.boolean({ error: "expected true or false" }).default(false),
  },
  { error: "expected a mapping such as { max_input_chars: 48000, include_private: false }" },
);

export interface AiSettings {
  /** The budget of what one request sends: the record first, then the channel's newest messages. */
  readonly maxInputChars: number;
  /** Private incidents are sent to the model only when true. */
  readonly includePrivate: boolean;
}

export function readAi(raw: z.output<typeof aiSchema> | undefined): AiSettings {
  return { maxInputChars: raw?.max_input_chars ?? AI_MAX_INPUT_DEFAULT, includePrivate: raw?.include_private ?? false };
}
