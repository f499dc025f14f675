// Tokens, the signing secret and request signatures never reach the logs, wherever they hide.

import { describe, expect, it } from "vitest";
import { createLogger, scrub, sentenceDestination } from "../../src/log.ts";
import { slackLogger } from "../../src/slack/api.ts";
import { LogCapture } from "../support/harness.ts";

const BOT = "xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOpQrStUvWx";
const APP = "xapp-1-A0123-456789-abcdef0123456789";
const USER = "xoxp-1111-2222-3333-deadbeef";
const SIGNATURE = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";
const SECRET = "8f742231b10e8888abcd99yyyzzz85a5";

function logged(write: (log: ReturnType<typeof createLogger>) => void): string {
  const capture = new LogCapture();
  const log = createLogger("debug", capture);
  write(log);
  log.flush();
  return JSON.stringify(capture.lines);
}

describe("log redaction", () => {
  it("redacts secret fields by name, at the top and one level down", () => {
    const out = logged((log) => {
      log.info({ token: BOT, signingSecret: SECRET, config: { botToken: BOT, appToken: APP, signingSecret: SECRET } }, "starting");
    });
    for (const s of [BOT, APP, SECRET]) expect(out).not.toContain(s);
    expect(out).toContain("[redacted]");
  });

  it("redacts request signatures and authorization headers", () => {
    const out = logged((log) => {
      log.warn({ req: { headers: { "x-slack-signature": SIGNATURE, authorization: `Bearer ${BOT}`, "x-slack-request-timestamp": "1" } } }, "bad request");
    });
    expect(out).not.toContain(SIGNATURE);
    expect(out).not.toContain(BOT);
    expect(out).toContain("x-slack-request-timestamp");
  });

  it("masks tokens and signatures inside messages and nested values", () => {
    const out = logged((log) => {
      log.error(`call failed with ${BOT} and ${SIGNATURE}`);
      log.info({ payload: { deep: [{ text: `user pasted ${USER}` }] } }, "event");
    });
    for (const s of [BOT, SIGNATURE, USER]) expect(out).not.toContain(s);
  });

  it("masks tokens in errors: message, stack and data", () => {
    const err = Object.assign(new Error(`invalid_auth for ${BOT}`), { data: { token: APP } });
    const out = logged((log) => log.error({ err }, "failed"));
    expect(out).not.toContain(BOT);
    expect(out).not.toContain(APP);
    expect(out).toContain("invalid_auth");
  });

  it("masks what Bolt and WebClient log through the adapter", () => {
    const capture = new LogCapture();
    const log = createLogger("debug", capture);
    slackLogger(log).warn("http request failed", { headers: { Authorization: `Bearer ${BOT}` } });
    log.flush();
    expect(JSON.stringify(capture.lines)).not.toContain(BOT);
  });

  it("leaves ordinary text alone", () => {
    expect(scrub({ text: "Checkout errors spiking, v0 of the service", n: 3 })).toEqual({ text: "Checkout errors spiking, v0 of the service", n: 3 });
  });

  it("writes one JSON object per line with level names and ISO times", () => {
    const capture = new LogCapture();
    const log = createLogger("info", capture);
    log.info({ incident: "INC-1" }, "declared");
    log.debug("not at info");
    log.flush();
    expect(capture.lines).toHaveLength(1);
    expect(capture.lines[0]).toMatchObject({ level: "info", msg: "declared", incident: "INC-1", name: "warroom" });
    expect(String(capture.lines[0]?.time)).toMatch(/^\d{4}-\d{2}-\d{2}T/);
  });
});

describe("a tool's log", () => {
  it("is sentences on one line each, never JSON, with secrets masked", () => {
    const lines: string[] = [];
    const log = createLogger("info", sentenceDestination("restore", (l) => lines.push(l)));
    log.info({ clusterDir: "/x" }, "embedded PostgreSQL is up");
    log.warn({ err: new Error("token xoxb-1234-abcd leaked") }, "could not stop");
    log.debug("not asked for");
    expect(lines).toEqual(["warroom restore: info: embedded PostgreSQL is up\n", "warroom restore: warn: could not stop (token [redacted] leaked)\n"]);
  });
});
