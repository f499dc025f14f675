// What every HTTP door shares (the API, the webhooks in): the bearer token compared in constant time,
// bodies read up to 1 MB (413 beyond, before parsing), query strings checked with zod (an unknown
// parameter is a 400 naming it), and errors answered as {"error": "<code>", "message": "…"}.

import { createHash, timingSafeEqual } from "node:crypto";
import type http from "node:http";
import type { z } from "zod";

export const BODY_MAX = 1024 * 1024;

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
    /** `close`: the connection is not kept alive after this answer (a refused body). */
    readonly options: { readonly close?: boolean } = {},
  ) {
    super(message);
  }
}

export function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", ...headers });
  res.end(JSON.stringify(body));
}

export function sendError(res: http.ServerResponse, err: HttpError): void {
  sendJson(res, err.status, err.code === "unauthorized" ? { error: "unauthorized" } : { error: err.code, message: err.message, ...err.extra }, err.options.close ? { connection: "close" } : {});
}

const digest = (s: string) => createHash("sha256").update(s, "utf8").digest();

/** Two secrets compared in constant time (of equal-length digests, so their lengths do not show either). */
export function sameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

/** `Authorization: Bearer <token>`, the token compared in constant time (its case matters). */
export function authorized(req: http.IncomingMessage, token: string): boolean {
  const header = req.headers.authorization;
  if (typeof header !== "string") return false;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!m) return false;
  return sameSecret(m[1] as string, token);
}

/** What a refused body may still send, read and thrown away, so its client reads the 413 before the connection closes. */
const DRAIN_MAX = 16 * 1024 * 1024;
const DRAIN_MS = 10_000;

/**
 * The raw body, refused with 413 once it passes `max` bytes. The refusal is answered when the rest
 * of the body has arrived (up to 16 MB or 10 s, read and discarded), with `Connection: close`: a
 * client still writing when the answer came would otherwise see EPIPE or a reset, not the 413.
 */
export function readBody(req: http.IncomingMessage, max = BODY_MAX): Promise<Buffer> {
  const tooLarge = () => new HttpError(413, "payload_too_large", `The body is over ${max} bytes.`, {}, { close: true });
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (): void => {
      clearTimeout(timer);
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
      req.resume();
      if (refused) reject(tooLarge());
    };
    const refuse = (): void => {
      refused = true;
      chunks.length = 0;
      timer = setTimeout(finish, DRAIN_MS);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (refused) {
        if (size > max + DRAIN_MAX) finish();
      } else if (size > max) refuse();
      else chunks.push(chunk);
    };
    const onEnd = (): void => {
      if (refused) finish();
      else {
        req.off("data", onData);
        req.off("error", onError);
        resolve(Buffer.concat(chunks));
      }
    };
    const onError = (err: Error): void => {
      clearTimeout(timer);
      req.off("data", onData);
      req.off("end", onEnd);
      reject(err);
    };
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
    const declared = Number(req.headers["content-length"]);
    if (Number.isFinite(declared) && declared > max) refuse();
  });
}

/** A JSON body: 400 when it is not JSON. */
export async function readJson(req: http.IncomingMessage, max = BODY_MAX): Promise<unknown> {
  const raw = await readBody(req, max);
  try {
    return JSON.parse(raw.toString("utf8") || "null");
  } catch {
    throw new HttpError(400, "invalid_json", "The body is not valid JSON.");
  }
}

/** The first problem zod found, as "field: what was expected". */
export function firstIssue(error: z.ZodError): { field: string; message: string } {
  const issue = error.issues[0];
  if (!issue) return { field: "", message: "invalid" };
  if (issue.code === "unrecognized_keys") return { field: issue.keys.join(", "), message: `unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `"${k}"`).join(", ")}` };
  const field = issue.path.map(String).join(".");
  return { field, message: field ? `${field}: ${issue.message}` : issue.message };
}

/** The query string checked against `schema` (a strict object): unknown or bad parameters are a 400 naming them. */
export function parseQuery<S extends z.ZodType>(url: URL, schema: S): z.output<S> {
  const raw: Record<string, string> = {};
  for (const [k, v] of url.searchParams) {
    if (k in raw) throw new HttpError(400, "bad_request", `The query parameter "${k}" is given twice.`, { parameter: k });
    raw[k] = v;
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    if (issue?.code === "unrecognized_keys") throw new HttpError(400, "bad_request", `Unknown query parameter${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `"${k}"`).join(", ")}.`, { parameters: issue.keys });
    const name = issue?.path.map(String).join(".") ?? "";
    throw new HttpError(400, "bad_request", `The query parameter "${name}" ${issue?.message ?? "is invalid"}.`, { parameter: name });
  }
  return parsed.data;
}
