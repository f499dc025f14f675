// The YAML file as read: parsed with the yaml library (which counts lines), so each problem is one
// line naming the file, the line, the key and what was expected.

import fs from "node:fs";
import { type Document, isMap, isScalar, isSeq, LineCounter, parseDocument } from "yaml";
import { z } from "zod";
import { ConfigError } from "./errors.ts";

function formatPath(p: readonly PropertyKey[]): string {
  let out = "";
  for (const part of p) out += typeof part === "number" ? `[${part}]` : out === "" ? String(part) : `.${String(part)}`;
  return out;
}

/**
 * The file being read, to name a problem by its line: a key's own line, or the nearest enclosing one
 * that exists (a missing key is reported at its mapping).
 */
export class ConfigFile {
  constructor(
    readonly name: string,
    private readonly doc?: Document,
    private readonly lines?: LineCounter,
  ) {}

  lineOf(at: readonly PropertyKey[]): number | undefined {
    if (!this.doc || !this.lines) return undefined;
    let node: unknown = this.doc.contents;
    let start = (node as { range?: [number, number, number] } | null)?.range?.[0];
    for (const part of at) {
      if (isMap(node)) {
        const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(part));
        if (!pair) break;
        start = (pair.key as { range?: [number, number, number] }).range?.[0] ?? start;
        node = pair.value;
      } else if (isSeq(node) && typeof part === "number" && node.items[part]) {
        node = node.items[part];
        start = (node as { range?: [number, number, number] }).range?.[0] ?? start;
      } else break;
    }
    return start === undefined ? undefined : this.lines.linePos(start).line;
  }

  /** One line: the file, the line, the key and what was expected. */
  problem(at: readonly PropertyKey[], message: string): ConfigError {
    const line = this.lineOf(at);
    const where = formatPath(at);
    return new ConfigError(`${this.name}: ${line !== undefined ? `line ${line}: ` : ""}${where === "" ? "(top level)" : where}: ${message}`);
  }

  issue(issue: z.core.$ZodIssue): ConfigError {
    if (issue.code === "unrecognized_keys") {
      const keys = issue.keys.map((k) => `"${k}"`).join(", ");
      const where = formatPath(issue.path);
      const line = this.lineOf([...issue.path, issue.keys[0] ?? ""]);
      return new ConfigError(`${this.name}: ${line !== undefined ? `line ${line}: ` : ""}unknown key ${keys}${where === "" ? "" : ` in ${where}`}; check the spelling against incident.config.example.yml`);
    }
    return this.problem(issue.path, issue.message);
  }
}

/** The file's data and the source to name its problems by; no file, an empty mapping. */
export function readYaml(file: string | undefined): { data: unknown; source: ConfigFile } {
  if (file === undefined) return { data: {}, source: new ConfigFile("config") };
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    throw new ConfigError(`${file}: could not be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true, lineCounter: lines });
  const first = doc.errors[0];
  if (first) {
    const pos = lines.linePos(first.pos[0]);
    const what =
      first.code === "DUPLICATE_KEY"
        ? `duplicate key "${(text.slice(first.pos[0]).split("\n")[0] ?? "").split(":")[0]?.trim() || "?"}" (each key may appear once)`
        : first.message.split("\n")[0];
    throw new ConfigError(`${file}: line ${pos.line}, column ${pos.col}: YAML syntax: ${what}`);
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 }) ?? {};
  } catch (err) {
    // The yaml library refuses documents whose aliases expand without bound ("billion laughs").
    throw new ConfigError(`${file}: YAML: ${(err as Error).message.split("\n")[0]}`);
  }
  if (typeof data !== "object" || Array.isArray(data)) {
    throw new ConfigError(`${file}: (top level): expected a mapping of keys such as timezone: UTC`);
  }
  return { data, source: new ConfigFile(file, doc, lines) };
}
