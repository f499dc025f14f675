// The assistant's prompts: templates/ai/<feature>.md, or the team's copy in templates_dir/ai/,
// parsed once at start (a template that does not parse stops the bot, naming the file and line) and
// rendered in the postmortem's sandbox. A rendered prompt is split at the line `<!-- user -->` into
// the system and the user message, and every secret is removed from both before anything is sent.
// The channel's messages are fitted to the budget (ai.max_input_chars): the record first, then the
// newest messages, the oldest cut.

import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Template } from "liquidjs";
import { ConfigError } from "../config/errors.ts";
import { liquidErrorLine, liquidErrorReason, sandboxedLiquid } from "../config/liquid.ts";
import { redactSecrets } from "../domain/assistant/redact.ts";
import type { AssistantFeature, ChatMessage } from "./client.ts";

export const BUILTIN_PROMPTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../templates/ai");

const FEATURES: readonly AssistantFeature[] = ["catchup", "update", "postmortem"];
const USER_MARK = /^[ \t]*<!--\s*user\s*-->[ \t]*$/m;

export interface PromptMessage {
  readonly at_utc: string;
  readonly author: string;
  readonly text: string;
}

/** What a prompt template gets (documented in templates/ai/catchup.md's header). */
export interface PromptData {
  readonly incident: Record<string, unknown>;
  readonly roles: readonly { label: string; people: string }[];
  readonly last_update: Record<string, string> | null;
  readonly updates: readonly Record<string, string>[];
  readonly timeline: readonly { at_utc: string; actor: string; text: string }[];
  readonly since_utc: string;
  readonly now_utc: string;
}

export interface BuiltPrompt {
  readonly messages: readonly ChatMessage[];
  /** Characters sent, both messages. */
  readonly chars: number;
  readonly messagesSent: number;
  readonly messagesOmitted: number;
  readonly secretsRemoved: number;
}

interface Loaded {
  readonly file: string;
  readonly template: Template[];
}

export class Prompts {
  private readonly engine = sandboxedLiquid();
  private readonly loaded = new Map<AssistantFeature, Loaded>();

  /** Reads and parses every prompt; throws ConfigError naming the file and line of one that does not parse. */
  constructor(templatesDir: string) {
    for (const feature of FEATURES) {
      const custom = path.join(templatesDir, "ai", `${feature}.md`);
      const file = fs.existsSync(custom) ? custom : path.join(BUILTIN_PROMPTS, `${feature}.md`);
      const source = fs.readFileSync(file, "utf8");
      let template: Template[];
      try {
        template = this.engine.parse(source, file);
      } catch (err) {
        const line = liquidErrorLine(err);
        throw new ConfigError(`${file}${line ? `, line ${line}` : ""}: the assistant's prompt does not parse: ${liquidErrorReason((err as Error).message ?? String(err))}`);
      }
      if (!USER_MARK.test(source)) throw new ConfigError(`${file}: the assistant's prompt has no <!-- user --> line between its system part and its user part`);
      this.loaded.set(feature, { file, template });
    }
  }

  fileOf(feature: AssistantFeature): string {
    return (this.loaded.get(feature) as Loaded).file;
  }

  /** The prompt for `feature`, the channel's messages fitted newest first into `maxChars`. */
  async build(feature: AssistantFeature, data: PromptData, messages: readonly PromptMessage[], maxChars: number): Promise<BuiltPrompt> {
    let secrets = 0;
    // the record first; a record too long for the budget loses its oldest timeline entries and updates
    let record = data;
    let fixed = await this.render(feature, record, [], 0);
    while (fixed.length > maxChars && (record.timeline.length > 1 || record.updates.length > 1)) {
      const cut = <T>(list: readonly T[]) => list.slice(Math.ceil(list.length / 5));
      record = { ...record, timeline: record.timeline.length > 1 ? cut(record.timeline) : record.timeline, updates: record.updates.length > 1 ? cut(record.updates) : record.updates };
      fixed = await this.render(feature, record, [], 0);
    }
    let room = maxChars - fixed.length;
    let first = messages.length;
    // newest kept: walk back from the end while the next older message, its secrets removed, still fits
    const kept: PromptMessage[] = [];
    while (first > 0) {
      const m = messages[first - 1] as PromptMessage;
      const r = redactSecrets(m.text);
      const size = m.at_utc.length + m.author.length + r.text.length + 6;
      if (size > room) break;
      room -= size;
      secrets += r.count;
      kept.push({ ...m, text: r.text });
      first--;
    }
    kept.reverse();
    const rendered = await this.render(feature, record, kept, first);
    const [systemPart = "", ...rest] = rendered.split(USER_MARK);
    const system = redactSecrets(systemPart.trim());
    const user = redactSecrets(rest.join("\n").trim());
    secrets += system.count + user.count;
    return {
      messages: [
        { role: "system", content: system.text },
        { role: "user", content: user.text },
      ],
      chars: system.text.length + user.text.length,
      messagesSent: kept.length,
      messagesOmitted: first,
      secretsRemoved: secrets,
    };
  }

  private async render(feature: AssistantFeature, data: PromptData, messages: readonly PromptMessage[], omitted: number): Promise<string> {
    const { template } = this.loaded.get(feature) as Loaded;
    const out = (await this.engine.render(template, { ...data, messages, messages_omitted: omitted })) as string;
    return out.replace(/\n{3,}/g, "\n\n");
  }
}
