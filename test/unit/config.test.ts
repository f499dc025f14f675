// Configuration: every problem is one line naming the variable, or the file and key, and what was
// expected; a valid configuration is typed, defaulted and frozen.

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config/index.ts";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "warroom-config-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const BASE = { SLACK_BOT_TOKEN: "xoxb-1-2-abc", SLACK_SIGNING_SECRET: "s3cret", INCIDENT_CONFIG: path.join(dir, "empty.yml") };
fs.writeFileSync(BASE.INCIDENT_CONFIG, "");

function withFile(yaml: string): Record<string, string> {
  const file = path.join(dir, `c${Math.random().toString(36).slice(2)}.yml`);
  fs.writeFileSync(file, yaml);
  return { ...BASE, INCIDENT_CONFIG: file };
}

function problem(env: Record<string, string | undefined>): string {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    const message = (err as Error).message;
    expect(message).not.toContain("\n");
    return message;
  }
  throw new Error("expected a configuration error");
}

describe("environment variables", () => {
  it("names SLACK_BOT_TOKEN first when nothing is set, and says where to get it", () => {
    expect(problem({})).toMatch(/^SLACK_BOT_TOKEN is not set: it is the Bot User OAuth Token \(xoxb-…\) from your Slack app's OAuth & Permissions page/);
  });

  it("rejects a bot token of the wrong kind without echoing it", () => {
    const msg = problem({ ...BASE, SLACK_BOT_TOKEN: "xoxp-user-token-value" });
    expect(msg).toMatch(/^SLACK_BOT_TOKEN must start with xoxb-/);
    expect(msg).not.toContain("user-token-value");
  });

  it("requires the signing secret in HTTP mode", () => {
    expect(problem({ ...BASE, SLACK_SIGNING_SECRET: undefined })).toMatch(/^SLACK_SIGNING_SECRET is not set: it is the Signing Secret/);
  });

  it("switches to Socket Mode with an app token, where the signing secret is optional", () => {
    const c = loadConfig({ ...BASE, SLACK_SIGNING_SECRET: undefined, SLACK_APP_TOKEN: "xapp-1-A-1-abc" });
    expect(c.slack.socketMode).toBe(true);
    expect(c.slack.appToken).toBe("xapp-1-A-1-abc");
  });

  it("rejects an app token of the wrong kind", () => {
    expect(problem({ ...BASE, SLACK_APP_TOKEN: "xoxb-nope" })).toMatch(/^SLACK_APP_TOKEN must start with xapp-/);
  });

  it.each([
    [{ PORT: "http" }, /^PORT must be a TCP port number from 0 to 65535 \(got "http"\)/],
    [{ PORT: "70000" }, /^PORT must be a TCP port number/],
    [{ SLACK_API_URL: "ftp://x" }, /^SLACK_API_URL must be an http\(s\) URL/],
    [{ SLACK_API_URL: "not a url" }, /^SLACK_API_URL must be an http\(s\) URL/],
    [{ DATABASE_URL: "mysql://x" }, /^DATABASE_URL must be a PostgreSQL URL starting with postgres:\/\/ or postgresql:\/\//],
    [{ LOG_LEVEL: "loud" }, /^LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent \(got "loud"\)/],
    [{ INCIDENT_CONFIG: "/nonexistent/incident.yml" }, /^INCIDENT_CONFIG names \/nonexistent\/incident.yml, which does not exist/],
  ])("rejects %o", (extra, expected) => {
    expect(problem({ ...BASE, ...extra })).toMatch(expected);
  });

  it("has the documented defaults", () => {
    const c = loadConfig(BASE);
    expect(c.port).toBe(3000);
    expect(c.slack.apiUrl).toBe("https://slack.com/api/");
    expect(c.slack.socketMode).toBe(false);
    expect(c.database).toEqual({ kind: "embedded", dataDir: path.resolve("./data") });
    expect(c.logLevel).toBe("info");
    expect(c.incident.timezone).toBe("UTC");
    expect(c.incident.channelPrefix).toBe("inc");
    expect(c.incident.postmortemDue.toISO()).toBe("P2D");
    expect(c.incident.archiveAfter).toBeUndefined();
    expect(c.incident.severities.map((s) => [s.id, s.label, s.cadence?.toISO() ?? null])).toEqual([
      ["SEV1", "Critical", "PT30M"],
      ["SEV2", "High", "PT1H"],
      ["SEV3", "Medium", "PT4H"],
      ["SEV4", "Low", null],
    ]);
  });

  it("adds the trailing slash to SLACK_API_URL and takes DATABASE_URL", () => {
    const c = loadConfig({ ...BASE, SLACK_API_URL: "http://127.0.0.1:9/api", DATABASE_URL: "postgres://u:p@db/warroom", DATA_DIR: "/ignored" });
    expect(c.slack.apiUrl).toBe("http://127.0.0.1:9/api/");
    expect(c.database).toEqual({ kind: "external", url: "postgres://u:p@db/warroom" });
  });

  it("binds every interface unless HOST names one", () => {
    expect(loadConfig(BASE).host).toBeUndefined();
    expect(loadConfig({ ...BASE, HOST: "127.0.0.1" }).host).toBe("127.0.0.1");
    expect(loadConfig({ ...BASE, HOST: "::1" }).host).toBe("::1");
    expect(problem({ ...BASE, HOST: "127.0.0.1; rm -rf" })).toMatch(/^HOST must be an address to listen on/);
  });

  it("runs durations WARROOM_TIME_SCALE times faster (the playground's --fast), and only whole factors", () => {
    expect(loadConfig(BASE).timeScale).toBe(1);
    const file = withFile("archive_after: P7D\nseverities:\n  - { id: SEV1, label: Critical, description: Down, cadence: PT30M, respond_within: PT10M }\n  - { id: SEV4, label: Low, description: Minor, cadence: null }\n");
    const fast = loadConfig({ ...file, WARROOM_TIME_SCALE: "60" });
    expect(fast.timeScale).toBe(60);
    expect(fast.incident.severities[0]?.cadence?.as("seconds")).toBe(30);
    expect(fast.incident.severities[0]?.respondWithin?.as("seconds")).toBe(10);
    expect(fast.incident.severities[1]?.cadence).toBeNull();
    expect(fast.incident.postmortemDue.as("minutes")).toBe(48);
    expect(fast.incident.archiveAfter?.as("minutes")).toBe(168);
    for (const bad of ["0", "1.5", "fast", "3601"]) expect(problem({ ...BASE, WARROOM_TIME_SCALE: bad })).toMatch(/^WARROOM_TIME_SCALE must be a whole number from 1 to 3600/);
  });

  it("is frozen all the way down", () => {
    const c = loadConfig(BASE);
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.slack)).toBe(true);
    expect(Object.isFrozen(c.incident.severities)).toBe(true);
    expect(Object.isFrozen(c.incident.severities[0])).toBe(true);
  });
});

describe("the YAML file", () => {
  it("reads every documented key", () => {
    fs.mkdirSync(path.join(dir, "my-templates"), { recursive: true });
    const c = loadConfig(
      withFile(`
announce_channel: "#incidents"
timezone: Europe/Paris
channel_prefix: incident
postmortem_due: P3D
archive_after: P30D
templates_dir: ./my-templates
severities:
  - { id: SEV0, label: Critical, description: Everything is down, cadence: PT15M, requires_ic: true, expects_comms_lead: true, postmortem_required: true }
  - { id: SEV1, label: Major, description: Major degradation, cadence: PT30M, requires_ic: true }
  - { id: SEV2, label: Minor, description: Minor issue, cadence: null }
`),
    );
    expect(c.incident.announceChannel).toBe("incidents");
    expect(c.incident.timezone).toBe("Europe/Paris");
    expect(c.incident.channelPrefix).toBe("incident");
    expect(c.incident.postmortemDue.toISO()).toBe("P3D");
    expect(c.incident.archiveAfter?.toISO()).toBe("P30D");
    expect(path.basename(c.incident.templatesDir)).toBe("my-templates");
    expect(c.incident.severities.map((s) => s.id)).toEqual(["SEV0", "SEV1", "SEV2"]);
    expect(c.incident.severities[1]).toMatchObject({ requiresIc: true, expectsCommsLead: false, postmortemRequired: false });
    expect(c.incident.severities[2]?.cadence).toBeNull();
  });

  it.each([
    ["timezone: Mars/Olympus", /: timezone: expected an IANA time zone such as Europe\/Paris or UTC \(got "Mars\/Olympus"\)$/],
    ["timezone: 5", /: timezone: expected an IANA time zone/],
    ["anounce_channel: x", /: unknown key "anounce_channel"; check the spelling against incident.config.example.yml$/],
    ["channel_prefix: INC!", /: channel_prefix: expected lowercase letters, digits, - or _/],
    ["postmortem_due: 2 days", /: postmortem_due: expected a positive ISO-8601 duration for postmortem_due, such as PT30M or P2D \(got "2 days"\)$/],
    ["archive_after: PT0S", /: archive_after: expected a positive ISO-8601 duration/],
    ["announce_channel: 'General Chat'", /: announce_channel: expected a channel id \(C0123ABCD\) or a channel name/],
    ["severities: []", /: severities: expected at least one severity$/],
    ["severities: SEV1", /: severities: expected a list of severities$/],
    ["severities: [{ id: SEV1, label: X, description: Y, cadence: 30m }]", /: severities\[0\]\.cadence: /],
    ["severities: [{ id: SEV1, label: X, description: Y, cadence: PT1H, requires_ic: yes please }]", /: severities\[0\]\.requires_ic: expected true or false$/],
    ["severities: [{ id: SEV1, label: X, description: Y, cadence: PT1H, colour: red }]", /: unknown key "colour" in severities\[0\]/],
    ["severities: [{ label: X, description: Y, cadence: PT1H }]", /: severities\[0\]\.id: expected a severity id such as SEV1$/],
    [
      "severities: [{ id: SEV1, label: A, description: a, cadence: PT1H }, { id: sev-1, label: B, description: b, cadence: PT1H }]",
      /: severities\[1\]\.id: "sev-1" repeats severities\[0\]\.id; ids must be unique$/,
    ],
    ["- just\n- a list", /: \(top level\): expected a mapping of keys such as timezone: UTC$/],
    ["timezone: [unclosed", /: line \d+, column \d+: /],
    ["timezone: UTC\ntimezone: UTC", /: line \d+, column \d+: .*[Dd]uplicate/],
    ["timezone:\tUTC\n\tchannel_prefix: x", /: line 2, column 1: YAML syntax: Tabs are not allowed/],
    ["announce_channel: null", /: announce_channel: expected a channel id/],
    ["templates_dir: ./no-such-templates", /: templates_dir: \/.*no-such-templates is not a directory \(leave templates_dir out to use the built-in templates\)$/],
    ["severities: [{ id: SEV1, label: '', description: d, cadence: PT1M }]", /: severities\[0\]\.label: expected a short label/],
    ["severities: [{ id: SEV1, label: a, description: d, cadence: P-1D }]", /: severities\[0\]\.cadence: expected an ISO-8601 duration/],
    [
      // "Billion laughs": aliases that expand without bound are refused, not expanded.
      Array.from({ length: 7 }, (_, i) => `k${i}: &a${i} [${Array(9).fill(i === 0 ? "x" : `*a${i - 1}`).join(", ")}]`).join("\n"),
      /: YAML: Excessive alias count/,
    ],
  ])("names the file, the key and what was expected: %s", (yaml, expected) => {
    const env = withFile(yaml);
    const msg = problem(env);
    expect(msg.startsWith(`${env.INCIDENT_CONFIG}: `)).toBe(true);
    expect(msg).toMatch(expected);
  });

  it.each([
    ["timezone: UTC\nchannel_prefix: inc\nanounce_channel: x\n", /: line 3: unknown key "anounce_channel"/],
    ["timezone: UTC\nseverities:\n  - id: SEV1\n    label: Critical\n    description: Down\n    cadence: every 30 minutes\n", /: line 6: severities\[0\]\.cadence: expected an ISO-8601 duration/],
    ["severities:\n  - id: SEV1\n    label: A\n    description: a\n    cadence: PT1H\n  - label: B\n    description: b\n    cadence: PT1H\n", /: line 6: severities\[1\]\.id: expected a severity id/],
    ["severities:\n  - id: SEV1\n    label: A\n    description: a\n    cadence: PT1H\n  - id: sev1\n    label: B\n    description: b\n    cadence: PT1H\n", /: line 6: severities\[1\]\.id: "sev1" repeats severities\[0\]\.id/],
    ["\n\n\ntemplates_dir: ./nowhere\n", /: line 4: templates_dir: .* is not a directory/],
    ["severities:\n  - id: SEV1\n    label: A\n    description: a\n    cadence: PT1H\n    notify:\n      - U0123ABCD\n      - '#oncall'\n", /: line 8: severities\[0\]\.notify\[1\]: expected a Slack id: a person \(U0123ABCD\), a user group \(S0123ABCD\) or a channel \(C0123ABCD\) \(got "#oncall"\)/],
    ["severities:\n  - id: SEV1\n    label: A\n    description: a\n    cadence: PT1H\n    respond_within: 15 minutes\n", /: line 6: severities\[0\]\.respond_within: expected a positive ISO-8601 duration for respond_within/],
    ["severities:\n  - id: SEV1\n    label: A\n    description: a\n    cadence: PT1H\n    notify: S0ONCALL\n", /: line 6: severities\[0\]\.notify: expected a list of Slack ids/],
    ["severities:\n  - id: SEV1\n    label: A\n    description: a\n    cadence: PT1H\n    notify_drills: sometimes\n", /: line 6: severities\[0\]\.notify_drills: expected true or false/],
    ["announce_channel: incidents\ndigest:\n  cron: 0 9 * *\n", /: line 3: digest\.cron: expected a cron pattern of five fields \(minute hour day month weekday\), or six with seconds first, such as "0 9 \* \* 1" \(got 4 fields\)/],
    ["announce_channel: incidents\ndigest:\n  cron: 0 9 * * 1 2026 x\n", /: line 3: digest\.cron: expected a cron pattern of five fields/],
    ["announce_channel: incidents\ndigest:\n  cron: 0 25 * * 1\n", /: line 3: digest\.cron: expected a cron pattern such as "0 9 \* \* 1": /],
    ["digest:\n  cron: 0 9 * * 1\n", /: line 1: digest\.channel: expected a channel for the digest \(or set announce_channel, its default\)/],
    ["digest:\n  cron: 0 9 * * 1\n  chanel: x\n", /: line 3: unknown key "chanel" in digest/],
    ["digest: every monday\n", /: line 1: digest: expected a mapping such as/],
    ["drill_channel_prefix: Practice!\n", /: line 1: drill_channel_prefix: expected lowercase letters, digits, - or _ \(at most 20 characters\), such as drill/],
    ["channel_prefix: x\ndrill_channel_prefix: x\n", /: line 2: drill_channel_prefix: must differ from channel_prefix \("x"\)/],
    ["alerts:\n  triage_channel: alerts\n  severity_map:\n    critical: SEV1\n    warning: SEV9\n", /: line 5: alerts\.severity_map\.warning: "SEV9" is not a configured severity \(expected one of SEV1, SEV2, SEV3, SEV4\)/],
    ["alerts:\n  auto_declare: [SEV1, P0]\n", /: line 2: alerts\.auto_declare\[1\]: "P0" is not a configured severity/],
    ["alerts:\n  severity_label: 'sev level'\n", /: line 2: alerts\.severity_label: expected a label name such as severity/],
    ["alerts:\n  triage_chanel: alerts\n", /: line 2: unknown key "triage_chanel" in alerts/],
    ["alerts:\n  severity_map: [critical]\n", /: line 2: alerts\.severity_map: expected a mapping of label values to severities/],
    ["alerts:\n  severity_map:\n    Critical: SEV1\n    critical: SEV2\n", /: line 4: alerts\.severity_map\.critical: "critical" is mapped twice/],
  ])("names the line of the problem: %j", (yaml, expected) => {
    expect(problem(withFile(yaml))).toMatch(expected);
  });

  it("reads the alerts section: the triage channel (default announce_channel), the label, the map by lowercased value, auto_declare", () => {
    const c = loadConfig(withFile("announce_channel: incidents\nalerts:\n  severity_label: priority\n  severity_map: { Critical: sev1, P3: '3' }\n  auto_declare: [sev-1]\n"));
    expect(c.incident.alerts).toEqual({ triageChannel: "incidents", severityLabel: "priority", severityMap: { critical: "SEV1", p3: "SEV3" }, autoDeclare: ["SEV1"] });
    expect(loadConfig(withFile("{}\n")).incident.alerts).toEqual({ severityLabel: "severity", severityMap: {}, autoDeclare: [] });
  });

  it("needs a triage channel when an alert door is open", () => {
    expect(problem({ ...withFile("{}\n"), WARROOM_ALERTS_TOKEN: "0123456789abcdef0123" })).toMatch(/WARROOM_ALERTS_TOKEN is set, so alerts need a triage channel: set alerts\.triage_channel \(or announce_channel\)/);
    expect(problem({ ...withFile("{}\n"), PAGERDUTY_WEBHOOK_SECRET: "0123456789abcdef0123" })).toMatch(/PAGERDUTY_WEBHOOK_SECRET is set/);
    expect(problem({ ...withFile("alerts: { triage_channel: a }\n"), WARROOM_ALERTS_TOKEN: "short" })).toMatch(/WARROOM_ALERTS_TOKEN is too short/);
    expect(problem({ ...BASE, SLACK_PACING: "sometimes" })).toMatch(/SLACK_PACING must be on or off/);
    expect(loadConfig({ ...BASE, SLACK_PACING: "off" }).slack.pacing).toBe(false);
    expect(loadConfig(BASE).slack.pacing).toBe(true);
  });

  describe("webhooks and the status page", () => {
    const KEY = `whsec_${Buffer.from("k".repeat(32)).toString("base64")}`;
    const hooks = (yaml: string, env: Record<string, string> = { HOOK: KEY }) => ({ ...withFile(yaml), ...env });

    it.each([
      ["webhooks:\n  - url: https://example.test/hook\n    secret_env: HOOK_MISSING\n", /: line 3: webhooks\[0\]\.secret_env: the environment variable HOOK_MISSING is not set: it holds this endpoint's signing secret/],
      ["webhooks:\n  - url: ftp://example.test/hook\n    secret_env: HOOK\n", /: line 2: webhooks\[0\]\.url: /],
      ["webhooks:\n  - url: https://example.test/hook\n    secret_env: HOOK\n    events: [incident.declared, incident.exploded]\n", /: line 4: webhooks\[0\]\.events\[1\]: "incident\.exploded" is not an event type \(expected one of incident\.declared, /],
      ["webhooks:\n  - url: https://example.test/hook\n    secret_env: HOOK\n  - url: https://example.test/hook\n    secret_env: HOOK\n", /: line 4: webhooks\[1\]\.url: repeats webhooks\[0\]\.url/],
      ["webhooks:\n  - url: https://example.test/hook\n    secret: whsec_abc\n", /: line 3: webhooks\[0\]\.secret: a secret is never written in this file: put it in an environment variable and name that with secret_env/],
      ["webhooks:\n  - url: https://example.test/hook\n    secret_env: HOOK\n    include_private: yes please\n", /: line 4: webhooks\[0\]\.include_private: expected true or false/],
      ["webhooks: https://example.test/hook\n", /: line 1: webhooks: expected a list of endpoints/],
      ["statuspage:\n  page_id: 'not a page'\n", /: line 2: statuspage\.page_id: expected your Statuspage page id/],
      // the rule is said as it is: pg1 is letters and digits, but too short
      ["statuspage:\n  page_id: pg1\n", /: line 2: statuspage\.page_id: expected your Statuspage page id: 6 to 40 letters and digits \(got 3 characters\)/],
      ["statuspage:\n  page_id: abc-123-def\n", /: line 2: statuspage\.page_id: expected your Statuspage page id: 6 to 40 letters and digits, nothing else/],
      ["statuspage:\n  page_id: abc123def456\n  api_url: not a url\n", /: line 3: statuspage\.api_url: /],
      ["status_page:\n  title: Acme status\n  components:\n    - { id: api, name: API }\n    - { id: api, name: Web }\n", /: line 5: status_page\.components\[1\]\.id: "api" is the id of an earlier component/],
      ["status_page:\n  title: Acme status\n  components: []\n", /: line 3: status_page\.components: expected at least one component/],
    ])("names the line of the problem: %j", (yaml, expected) => {
      expect(problem(hooks(yaml, { HOOK: KEY, STATUSPAGE_API_KEY: "k3y" }))).toMatch(expected);
    });

    it("refuses a secret that is not whsec_ and base64 of 24 to 64 bytes, without showing it", () => {
      const yaml = "webhooks:\n  - url: https://example.test/hook\n    secret_env: HOOK\n";
      for (const bad of ["s3cret-value", `whsec_${Buffer.from("short").toString("base64")}`, `whsec_${Buffer.from("x".repeat(65)).toString("base64")}`, "whsec_!!!not-base64!!!"]) {
        const msg = problem(hooks(yaml, { HOOK: bad }));
        expect(msg).toMatch(/: line 3: webhooks\[0\]\.secret_env: HOOK must be whsec_ followed by the base64 of 24 to 64 random bytes/);
        expect(msg).not.toContain(bad);
      }
    });

    it("reads the endpoints: all events by default, the secret from the environment, include_private false", () => {
      const c = loadConfig(hooks("webhooks:\n  - url: https://example.test/a\n    secret_env: HOOK\n  - url: http://127.0.0.1:9000/b\n    secret_env: HOOK\n    events: [incident.resolved]\n    include_private: true\n"));
      const [a, b] = c.incident.webhooks;
      expect(a).toMatchObject({ url: "https://example.test/a", secret: KEY, secretEnv: "HOOK", includePrivate: false });
      expect(a?.events).toHaveLength(13); // §13's eleven, and the follow-ups' action_item.exported and action_item.reopened
      expect(b).toMatchObject({ events: ["incident.resolved"], includePrivate: true });
      expect(a?.key).toMatch(/^[0-9a-f]{16}$/);
      expect(a?.key).not.toBe(b?.key);
      expect(loadConfig(hooks("webhooks:\n  - url: https://example.test/a\n    secret_env: HOOK\n")).incident.webhooks[0]?.key).toBe(a?.key);
      expect(loadConfig(withFile("{}\n")).incident.webhooks).toEqual([]);
    });

    it("needs STATUSPAGE_API_KEY with statuspage, and adds the trailing slash to api_url", () => {
      expect(problem(withFile("statuspage:\n  page_id: abc123def456\n"))).toMatch(/^STATUSPAGE_API_KEY is not set, but .* has statuspage: it is an API key from your Statuspage account/);
      const c = loadConfig({ ...withFile("statuspage:\n  page_id: abc123def456\n  api_url: http://127.0.0.1:8080/v1\n"), STATUSPAGE_API_KEY: "k3y" });
      expect(c.incident.statuspage).toEqual({ pageId: "abc123def456", apiUrl: "http://127.0.0.1:8080/v1/" });
      expect(loadConfig({ ...withFile("statuspage: { page_id: abc123def456 }\n"), STATUSPAGE_API_KEY: "k3y" }).incident.statuspage?.apiUrl).toBe("https://api.statuspage.io/v1/");
      expect(c.statuspageKey).toBe("k3y");
    });
  });

  it("reads status_page: (the page served at /status), and leaves it unset without", () => {
    const c = loadConfig(withFile("status_page:\n  title: Acme status\n  public_url: https://status.acme.test/\n  components:\n    - { id: api, name: API, group: Core }\n"));
    expect(c.incident.statusPage).toEqual({ title: "Acme status", publicUrl: "https://status.acme.test", historyDays: 90, components: [{ id: "api", name: "API", group: "Core" }] });
    expect(loadConfig(withFile("{}\n")).incident.statusPage).toBeUndefined();
  });

  it("reads the digest and the drill channel prefix", () => {
    const c = loadConfig(withFile("announce_channel: incidents\ndrill_channel_prefix: practice\ndigest:\n  cron: 30 0 9 * * 1\n"));
    expect(c.incident.digest).toEqual({ cron: "30 0 9 * * 1", channel: "incidents" });
    expect(c.incident.drillChannelPrefix).toBe("practice");
    expect(loadConfig(withFile("digest: { cron: '0 9 * * 1', channel: C0123ABCD }\n")).incident.digest?.channel).toBe("C0123ABCD");
    expect(loadConfig(withFile("{}\n")).incident.digest).toBeUndefined();
  });

  it("reads a severity's notify list, respond_within and notify_drills", () => {
    const c = loadConfig(withFile("severities:\n  - { id: SEV1, label: A, description: a, cadence: PT1H, notify: [U0AAA, S0BBB, C0CCC, G0DDD, U0AAA], respond_within: PT15M, notify_drills: true }\n"));
    const s = c.incident.severities[0];
    expect(s?.notify).toEqual([{ kind: "user", id: "U0AAA" }, { kind: "group", id: "S0BBB" }, { kind: "channel", id: "C0CCC" }, { kind: "channel", id: "G0DDD" }]);
    expect(s?.respondWithin?.toISO()).toBe("PT15M");
    expect(s?.notifyDrills).toBe(true);
  });

  it("ships incident.config.example.yml, which loads and spells out exactly the defaults", () => {
    const example = loadConfig({ ...BASE, INCIDENT_CONFIG: path.resolve("incident.config.example.yml") }).incident;
    const defaults = loadConfig(BASE).incident;
    const plain = (x: typeof defaults) => ({ ...x, templatesDir: path.basename(x.templatesDir), postmortemDue: x.postmortemDue.toISO(), severities: x.severities.map((s) => ({ ...s, cadence: s.cadence?.toISO() ?? null })) });
    expect(plain(example)).toEqual(plain(defaults));
  });

  it("names a file it cannot read, and one that is not YAML text", () => {
    const folder = path.join(dir, "a-folder.yml");
    fs.mkdirSync(folder, { recursive: true });
    expect(problem({ ...BASE, INCIDENT_CONFIG: folder })).toBe(`INCIDENT_CONFIG: ${folder} is not a file`);
    expect(problem({ ...BASE, INCIDENT_CONFIG: path.join(dir, "nope.yml") })).toMatch(/^INCIDENT_CONFIG names .*nope\.yml, which does not exist$/);
    const binary = path.join(dir, "binary.yml");
    fs.writeFileSync(binary, Buffer.from([0, 1, 2, 255, 254, 10]));
    expect(problem({ ...BASE, INCIDENT_CONFIG: binary })).toMatch(/binary\.yml: /);
  });

  it("treats an empty file as all defaults", () => {
    expect(loadConfig(withFile("")).incident.severities).toHaveLength(4);
  });
});
