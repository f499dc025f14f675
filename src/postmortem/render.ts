// Rendering the postmortem template, sandboxed (config/liquid.ts): templates are user-editable, so
// they get only Liquid. A template that fails says which file and line.

import fs from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { liquidErrorLine, liquidErrorReason, sandboxedLiquid } from "../config/liquid.ts";
import type { PostmortemData } from "./data.ts";

export const BUILTIN_TEMPLATE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../templates/postmortem.md");

export class TemplateError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly reason: string,
  ) {
    super(`${file}${line ? `, line ${line}` : ""}: ${reason}`);
    this.name = "TemplateError";
  }
}

const engine = sandboxedLiquid();

export async function renderTemplate(source: string, file: string, data: PostmortemData): Promise<string> {
  try {
    const template = engine.parse(source, file);
    const out = (await engine.render(template, data)) as string;
    // a tidy document: no runs of blank lines left by tags
    return `${out.replace(/\n{3,}/g, "\n\n").trim()}\n`;
  } catch (err) {
    throw new TemplateError(file, liquidErrorLine(err), liquidErrorReason((err as Error).message ?? String(err)));
  }
}

export interface TemplateChoice {
  file: string;
  source: string;
  builtin: boolean;
}

/** The team's template (templates_dir/postmortem.md) if there is one, else the built-in one. */
export async function loadTemplate(templatesDir: string): Promise<TemplateChoice> {
  const custom = path.join(templatesDir, "postmortem.md");
  if (path.resolve(custom) !== BUILTIN_TEMPLATE) {
    const source = await fs.readFile(custom, "utf8").catch(() => undefined);
    if (source !== undefined) return { file: custom, source, builtin: false };
  }
  return { file: BUILTIN_TEMPLATE, source: await fs.readFile(BUILTIN_TEMPLATE, "utf8"), builtin: true };
}

export interface Rendered {
  markdown: string;
  template: string;
  /** The team's template failed, and the built-in one was used instead. */
  fallback?: TemplateError;
}

/** Renders with the team's template, falling back to the built-in one when it fails. */
export async function renderPostmortem(templatesDir: string, data: PostmortemData): Promise<Rendered> {
  const chosen = await loadTemplate(templatesDir);
  try {
    return { markdown: await renderTemplate(chosen.source, chosen.file, data), template: chosen.builtin ? "built-in" : chosen.file };
  } catch (err) {
    if (chosen.builtin || !(err instanceof TemplateError)) throw err;
    const builtin = await fs.readFile(BUILTIN_TEMPLATE, "utf8");
    return { markdown: await renderTemplate(builtin, BUILTIN_TEMPLATE, data), template: "built-in", fallback: err };
  }
}
