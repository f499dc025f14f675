// What the bot loads when it starts: the SDKs of the integrations a team may turn on (the trackers,
// the model) are large — the Linear SDK alone keeps 6 MB of source in memory — so none is reachable
// from src/main.ts or src/warroom.ts (which main.ts loads at once) through static imports; each is imported when its config turns it on. Nor is
// Prisma's query compiler imported as the module of base64 it ships as (scripts/generate-prisma.mjs).

import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../support/bot-process.ts";

// Node has WebAssembly; TypeScript declares it only in the DOM lib, which this project does not load.
declare const WebAssembly: { validate(bytes: Uint8Array): boolean };

const OPTIONAL_SDKS = ["openai", "@linear/sdk", "jira.js", "@octokit/rest"];

/** The modules a file imports statically (`import type` and `import()` left out). */
export function staticImports(text: string): string[] {
  return [...text.matchAll(/^(?:import|export)\s+(?!type\s)(?:[^;"'`]*?\sfrom\s+)?["']([^"']+)["']/gm)].map((m) => m[1] as string);
}

/** Every source file reachable from `entry` by static imports, with the packages each one imports. */
function reachable(entry: string): Map<string, string[]> {
  const seen = new Map<string, string[]>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    const specs = staticImports(fs.readFileSync(file, "utf8"));
    seen.set(file, specs.filter((s) => !s.startsWith(".")));
    for (const s of specs) if (s.startsWith(".")) visit(path.resolve(path.dirname(file), s));
  };
  visit(entry);
  return seen;
}

describe("the start", () => {
  it("loads no optional integration's SDK until its config turns it on", () => {
    // main.ts loads warroom.ts with import() once the database is starting: both are the start
    const loaded = [...reachable(path.join(ROOT, "src/main.ts")), ...reachable(path.join(ROOT, "src/warroom.ts"))].flatMap(([file, pkgs]) => pkgs.filter((p) => OPTIONAL_SDKS.includes(p)).map((p) => `${path.relative(ROOT, file)} imports ${p}`));
    expect(loaded).toEqual([]);
  });

  it("sees an SDK imported statically, and not one imported lazily or for its types (the check itself works)", () => {
    expect(staticImports(`import OpenAI from "openai";\nimport {\n  LinearClient,\n} from "@linear/sdk";\nexport { x } from "./x.ts";`)).toEqual(["openai", "@linear/sdk", "./x.ts"]);
    expect(staticImports(`import type { Tracker } from "./tracker.ts";\nconst m = await import("jira.js");`)).toEqual([]);
  });

  it("reads Prisma's query compiler from its file, not importing its base64 module (kept in memory for good)", () => {
    const generated = fs.readFileSync(path.join(ROOT, "src/store/generated/internal/class.ts"), "utf8");
    expect(generated).not.toMatch(/import\("[^"]*wasm-base64[^"]*"\)/);
    const file = /resolve\("([^"]+wasm-base64\.js)"\)/.exec(generated)?.[1];
    expect(file, "the generated client names the file it reads").toBeDefined();
    // the text it reads is one quoted base64 string, which decodes to valid WebAssembly
    const text = fs.readFileSync(createRequire(path.join(ROOT, "src/store/generated/internal/class.ts")).resolve(file as string), "utf8");
    expect(WebAssembly.validate(Buffer.from(text.slice(text.indexOf('"') + 1, text.lastIndexOf('"')), "base64"))).toBe(true);
  });
});
