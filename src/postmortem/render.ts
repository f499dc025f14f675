// Rendering the postmortem template, sandboxed. Templates are user-editable, so they get only Liquid:
// no code, no file system (an empty in-memory template map, so include/render/layout find nothing),
// only the data's own properties (no prototype walks such as "".constructor), and limits on parse
// size, render time and memory. A template that fails says which file and line.

import fs from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Liquid } from "liquidjs";
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

const engine = new Liquid({
  templates: {},
  relativeReference: false,
  dynamicPartials: false,
  ownPropertyOnly: true,
  strictFilters: true,
  strictVariables: false,
  jsTruthy: false,
  greedy: true,
  parseLimit: 200_000,
  renderLimit: 2_000,
  memoryLimit: 20_000_000,
});

function lineOf(err: unknown): number | undefined {
  const e = err as { token?: { getPosition?: () => [number, number] }; message?: string };
  const pos = e.token?.getPosition?.();
  if (pos) return pos[0];
  const m = /line:(\d+)/.exec(e.message ?? "");
  return m ? Number(m[1]) : undefined;
}

function firstLine(message: string): string {
  return message.split("\n")[0]?.replace(/, line:\d+, col:\d+/, "").trim() ?? message;
}

export async function renderTemplate(source: string, file: string, data: PostmortemData): Promise<string> {
  try {
    const template = engine.parse(source, file);
    const out = (await engine.render(template, data)) as string;
    // a tidy document: no runs of blank lines left by tags
    return `${out.replace(/\n{3,}/g, "\n\n").trim()}\n`;
  } catch (err) {
    throw new TemplateError(file, lineOf(err), firstLine((err as Error).message ?? String(err)));
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
