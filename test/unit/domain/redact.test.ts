// The redaction module: every kind of secret a channel carries is taken out before text leaves for a
// model, marked so the model sees something was there, and ordinary text is left exactly as it was.

import { describe, expect, it } from "vitest";
import { redactSecrets } from "../../../src/domain/assistant/redact.ts";

// assembled at run time, so no scanner mistakes this file for a leak
const j = (...parts: string[]) => parts.join("");
const SLACK_BOT = j("xo", "xb-1234567890-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx");
const SLACK_USER = j("xo", "xp-1234567890-1234567890-1234567890-abcdef0123456789abcdef0123456789");
const SLACK_APP = j("xa", "pp-1-A0123456789-1234567890123-abcdef0123456789abcdef0123456789abcdef01");
const WEBHOOK = j("https://hooks.slack.com/services/", "T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX");
const AWS_ID = j("AKIA", "IOSFODNN7EXAMPLE");
const AWS_SECRET = j("wJalrXUtnFEMI/K7MDENG/", "bPxRfiCYEXAMPLEKEY");
const GITHUB = j("ghp_", "abcdefghijklmnopqrstuvwxyz0123456789");
const OPENAI = j("sk-proj-", "abcdefghijklmnopqrstuvwxyz012345");
const JWT = j("eyJhbGciOiJIUzI1NiJ9", ".eyJzdWIiOiIxMjM0NTY3ODkwIn0", ".dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U");
const PEM = j("-----BEGIN RSA ", "PRIVATE KEY-----\nMIIEowIBAAKCAQEA7bq\nabc+/=\n-----END RSA ", "PRIVATE KEY-----");

describe("redactSecrets", () => {
  it.each([
    ["a Slack bot token", `the token is ${SLACK_BOT} ok`, SLACK_BOT, "[redacted Slack token]"],
    ["a Slack user token", `use ${SLACK_USER}`, SLACK_USER, "[redacted Slack token]"],
    ["a Slack app token", `app ${SLACK_APP}`, SLACK_APP, "[redacted Slack token]"],
    ["a Slack webhook", `post to ${WEBHOOK} now`, WEBHOOK, "[redacted Slack webhook]"],
    ["an AWS key id", `key ${AWS_ID} leaked`, AWS_ID, "[redacted AWS key]"],
    ["an AWS secret", `aws_secret_access_key = ${AWS_SECRET}`, AWS_SECRET, "aws_secret_access_key = [redacted AWS key]"],
    ["a bearer token", `curl -H "Authorization: Bearer abc.def-123_456789"`, "abc.def-123_456789", "Bearer [redacted bearer token]"],
    ["basic credentials", "Authorization: Basic dXNlcjpwYXNzd29yZA==", "dXNlcjpwYXNzd29yZA==", "Basic [redacted basic credentials]"],
    ["a password in a URL", "DATABASE_URL=postgres://app:hunter2secret@db.internal:5432/app", "hunter2secret", "postgres://app:[redacted URL password]@db.internal:5432/app"],
    ["a GitHub token", `GITHUB_TOKEN ${GITHUB}`, GITHUB, "[redacted API token]"],
    ["an OpenAI key", `key ${OPENAI}`, OPENAI, "[redacted API token]"],
    ["a JWT", `session ${JWT}`, JWT, "[redacted JWT]"],
    ["a private key", `here:\n${PEM}\nthanks`, "MIIEowIBAAKCAQEA7bq", "[redacted private key]"],
    ["a password assignment", "password=Sup3rS3cret!", "Sup3rS3cret!", "password=[redacted secret]"],
    ["an api_key in YAML", "api_key: 9f8e7d6c5b4a", "9f8e7d6c5b4a", "api_key: [redacted secret]"],
    ["a JSON client_secret", '{"client_secret": "abcd1234efgh"}', "abcd1234efgh", '"client_secret": "[redacted secret]"'],
  ])("takes out %s", (_kind, text, secret, marked) => {
    const r = redactSecrets(text);
    expect(r.text).not.toContain(secret);
    expect(r.text).toContain(marked);
    expect(r.count).toBeGreaterThanOrEqual(1);
  });

  it("takes out a private key cut off before its end line", () => {
    const r = redactSecrets(j("-----BEGIN OPENSSH ", "PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\nmore"));
    expect(r.text).toBe("[redacted private key]");
  });

  it("takes out every one of several, and counts them", () => {
    const r = redactSecrets(`${SLACK_BOT} and ${AWS_ID} and ${GITHUB}`);
    expect(r.count).toBe(3);
    expect(r.text).toBe("[redacted Slack token] and [redacted AWS key] and [redacted API token]");
  });

  it.each([
    "Checkout errors spiking in the EU since 14:02; rolled back deploy 4f3a2b1.",
    "See https://grafana.example.com/d/abc?orgId=1&from=now-1h for the dashboard",
    "The password reset page is down",
    "Token bucket is full, ratelimiting at 100 rps",
    "ssh deploy@host and run ./fix.sh",
    "Emails to ops@example.com bounce",
    "SEV2 · Investigating · @alice is IC",
  ])("leaves ordinary text as it is: %s", (text) => {
    expect(redactSecrets(text)).toEqual({ text, count: 0 });
  });

  it("redacting twice changes nothing more", () => {
    const once = redactSecrets(`password=abc12345 ${SLACK_BOT} postgres://u:p4ssw0rd@h/db`).text;
    expect(redactSecrets(once)).toEqual({ text: once, count: 0 });
  });
});
