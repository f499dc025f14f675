// The playground's rendering, pure: mrkdwn and Block Kit as HTML (every element §15 names), the values
// Slack reports for a person's inputs, and nothing a message says becoming markup.

import { describe, expect, it } from "vitest";
import { type BlockContext, blocks, elementAt, markdownHtml } from "../../../src/playground/blocks.ts";
import { mrkdwn, type Names, plain } from "../../../src/playground/mrkdwn.ts";
import { actionOf, viewState } from "../../../src/playground/state.ts";

const names: Names = {
  user: (id) => ({ U1: "Alice Adams", U2: "Bob Brown" })[id],
  channel: (id) => ({ C1: "inc-2026-12-01-checkout" })[id],
  group: (id) => ({ S1: "oncall" })[id],
  route: (url) => (url === "https://acme.slack.com/docs/T1/F1" ? "#/canvas/F1" : undefined),
};
const ctx: BlockContext = { names, people: [{ id: "U1", name: "Alice Adams" }, { id: "U2", name: "Bob Brown" }], channels: [{ id: "C1", name: "inc-2026-12-01-checkout" }] };

describe("mrkdwn", () => {
  it("formats bold, italic, strike, code, code blocks and quotes", () => {
    expect(mrkdwn("*bold* _it_ ~gone~ `x < y`", names)).toBe("<strong>bold</strong> <em>it</em> <del>gone</del> <code>x &lt; y</code>");
    expect(mrkdwn("```\nline *1*\n```", names)).toBe("<pre>line *1*\n</pre>");
    expect(mrkdwn("&gt; quoted\nafter", names)).toBe("<blockquote>quoted</blockquote>after");
  });

  it("leaves underscores inside words and asterisks in arithmetic alone", () => {
    expect(mrkdwn("snake_case_name and 2*3*4", names)).toBe("snake_case_name and 2*3*4");
  });

  it("names mentions, links channels, groups and broadcasts", () => {
    expect(mrkdwn("<@U1> and <@U9>", names)).toBe('<span class="mention user">@Alice Adams</span> and <span class="mention user">@U9</span>');
    expect(mrkdwn("<#C1>", names)).toContain('href="#/c/C1"');
    expect(mrkdwn("<#C1>", names)).toContain("#inc-2026-12-01-checkout");
    expect(mrkdwn("<!subteam^S1>", names)).toContain("@oncall");
    expect(mrkdwn("<!here>", names)).toContain("@here");
  });

  it("links http(s) and mailto only, and routes Slack addresses into the page", () => {
    expect(mrkdwn("<https://example.com/a?b=1&amp;c=2|the runbook>", names)).toBe('<a href="https://example.com/a?b=1&amp;c=2" target="_blank" rel="noreferrer noopener">the runbook</a>');
    expect(mrkdwn("<javascript:alert(1)|click>", names)).toBe("click");
    expect(mrkdwn("<https://acme.slack.com/docs/T1/F1|Postmortem>", names)).toBe('<a href="#/canvas/F1">Postmortem</a>');
  });

  it("turns <!date^…> into a <time> the page writes in the viewer's zone, with the fallback until then", () => {
    const html = mrkdwn("due <!date^1796157600^{date_short} at {time}|2026-12-01 20:40 UTC>", names);
    expect(html).toBe('due <time datetime="2026-12-01T20:40:00.000Z" data-format="{date_short} at {time}">2026-12-01 20:40 UTC</time>');
  });

  it("shows emoji shortcodes as emoji, unknown ones as written", () => {
    expect(mrkdwn(":rotating_light: :no_such_emoji:", names)).toBe('<span class="emoji" title=":rotating_light:">🚨</span> :no_such_emoji:');
  });

  it("never lets text become markup", () => {
    // Slack escapes &, < and > in text; whatever arrives is shown as text
    expect(mrkdwn("&lt;script&gt;alert(1)&lt;/script&gt; <img src=x onerror=alert(1)>", names)).not.toMatch(/<script|<img/);
    expect(plain('<b onmouseover="x">hi</b>')).toBe("&lt;b onmouseover=&quot;x&quot;&gt;hi&lt;/b&gt;");
    expect(markdownHtml("# Title\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1))")).not.toMatch(/<script|javascript:/);
  });
});

describe("Block Kit", () => {
  const message = [
    { type: "header", text: { type: "plain_text", text: ":rotating_light: INCIDENT DECLARED" } },
    { type: "section", text: { type: "mrkdwn", text: "*Summary:* Checkout" }, fields: [{ type: "mrkdwn", text: "*Severity:* SEV1" }, { type: "mrkdwn", text: "*Status:* Investigating" }], accessory: { type: "users_select", action_id: "assign", placeholder: { type: "plain_text", text: "Assign IC…" } } },
    { type: "divider" },
    {
      type: "actions",
      elements: [
        { type: "button", action_id: "take", text: { type: "plain_text", text: "Take IC" }, style: "primary", value: "v1" },
        { type: "static_select", action_id: "sev", options: [{ text: { type: "plain_text", text: "SEV1" }, value: "SEV1" }], initial_option: { text: { type: "plain_text", text: "SEV1" }, value: "SEV1" } },
        { type: "overflow", action_id: "more", options: [{ text: { type: "plain_text", text: "Snooze" }, value: "snooze" }] },
        { type: "button", action_id: "canvas", text: { type: "plain_text", text: "Open" }, url: "https://acme.slack.com/docs/T1/F1" },
      ],
    },
    { type: "context", elements: [{ type: "mrkdwn", text: "Declared by <@U1>" }, { type: "image", image_url: "https://example.com/x.png", alt_text: "logo" }] },
    { type: "rich_text", elements: [{ type: "rich_text_list", style: "bullet", elements: [{ type: "rich_text_section", elements: [{ type: "text", text: "first", style: { bold: true } }, { type: "user", user_id: "U2" }] }] }, { type: "rich_text_quote", elements: [{ type: "text", text: "quoted" }] }] },
    { type: "video_unknown" },
  ];

  it("renders every block of a message", () => {
    const html = blocks(message, ctx, "message");
    expect(html).toContain('<div class="bk-block bk-header"><span class="emoji" title=":rotating_light:">🚨</span> INCIDENT DECLARED</div>');
    expect(html).toContain('<div class="bk-field"><strong>Severity:</strong> SEV1</div>');
    expect(html).toContain('<hr class="bk-block bk-divider">');
    expect(html).toContain('<button type="button" class="bk-button primary" data-el="3.0" data-type="button" data-dispatch>Take IC</button>');
    expect(html).toContain('<option value="SEV1" selected>SEV1</option>');
    expect(html).toContain('data-el="1.a" data-type="users_select"');
    expect(html).toContain("<option value=\"U2\">Bob Brown</option>");
    expect(html).toContain('class="bk-overflow" data-el="3.2"');
    // a link button to a Slack address opens it in the page
    expect(html).toContain('href="#/canvas/F1"');
    // images are not fetched: their alt text instead
    expect(html).toContain("🖼 logo");
    expect(html).not.toContain("<img");
    expect(html).toContain('<ul class="rt-list" style="margin-left:0em"><li><strong>first</strong><span class="mention user">@Bob Brown</span></li></ul>');
    expect(html).toContain("<blockquote>quoted</blockquote>");
    expect(html).toContain("[video_unknown block]");
  });

  it("renders a modal's inputs with hints, optional marks and the app's field errors", () => {
    const view = [
      { type: "input", block_id: "title", label: { type: "plain_text", text: "Title" }, element: { type: "plain_text_input", action_id: "t", max_length: 80 }, hint: { type: "plain_text", text: "A few words" } },
      { type: "input", block_id: "impact", optional: true, label: { type: "plain_text", text: "Impact" }, element: { type: "plain_text_input", action_id: "i", multiline: true, initial_value: "all <users>" } },
      { type: "input", block_id: "when", label: { type: "plain_text", text: "When" }, element: { type: "datetimepicker", action_id: "w", initial_date_time: 1796157600 } },
      { type: "input", block_id: "vis", label: { type: "plain_text", text: "Visibility" }, element: { type: "radio_buttons", action_id: "v", options: [{ text: { type: "plain_text", text: "Public" }, value: "public" }, { text: { type: "plain_text", text: "Private" }, value: "private" }], initial_option: { text: { type: "plain_text", text: "Public" }, value: "public" } } },
    ];
    const html = blocks(view, { ...ctx, errors: { title: "Give the incident a title." } }, "modal");
    expect(html).toContain('<div class="bk-block bk-inputblock has-error" data-block="title" data-required>');
    expect(html).toContain('<div class="bk-error" role="alert">Give the incident a title.</div>');
    expect(html).toContain('maxlength="80"');
    expect(html).toContain("<textarea");
    expect(html).toContain("all &lt;users&gt;</textarea>");
    expect(html).toContain('<span class="bk-optional">(optional)</span>');
    expect(html).toContain('type="datetime-local" class="bk-input" data-el="2.0" data-type="datetimepicker" value="2026-12-01T20:40"');
    expect(html).toContain('value="public" checked');
  });

  it("finds the element a page control names", () => {
    expect(elementAt(message, "1.a")?.element.action_id).toBe("assign");
    expect(elementAt(message, "3.1")?.element.action_id).toBe("sev");
    expect(elementAt(message, "9.0")).toBeUndefined();
  });
});

describe("what Slack reports back", () => {
  const view = [
    { type: "input", block_id: "title", label: { type: "plain_text", text: "T" }, element: { type: "plain_text_input", action_id: "t" } },
    { type: "input", block_id: "sev", label: { type: "plain_text", text: "S" }, element: { type: "static_select", action_id: "s", option_groups: [{ label: { type: "plain_text", text: "High" }, options: [{ text: { type: "plain_text", text: "SEV1" }, value: "SEV1" }] }] } },
    { type: "input", block_id: "ic", label: { type: "plain_text", text: "IC" }, element: { type: "users_select", action_id: "u", initial_user: "U1" } },
    { type: "input", block_id: "areas", label: { type: "plain_text", text: "A" }, element: { type: "checkboxes", action_id: "c", options: [{ text: { type: "plain_text", text: "API" }, value: "api" }, { text: { type: "plain_text", text: "Web" }, value: "web" }] } },
    { type: "input", block_id: "when", label: { type: "plain_text", text: "W" }, element: { type: "datetimepicker", action_id: "d" } },
    { type: "input", label: { type: "plain_text", text: "M" }, element: { type: "multi_static_select", action_id: "m", options: [{ text: { type: "plain_text", text: "X" }, value: "x" }] } },
    { type: "section", text: { type: "mrkdwn", text: "x" } },
  ];

  it("builds view.state.values by block_id and action_id, with initial values for untouched inputs", () => {
    const values = viewState(view, { "0.0": "Checkout down", "1.0": "SEV1", "3.0": ["web"], "4.0": "2026-12-01T20:40", "5.0": ["x"] });
    expect(values).toEqual({
      title: { t: { type: "plain_text_input", value: "Checkout down" } },
      sev: { s: { type: "static_select", selected_option: { text: { type: "plain_text", text: "SEV1" }, value: "SEV1" } } },
      ic: { u: { type: "users_select", selected_user: "U1" } },
      areas: { c: { type: "checkboxes", selected_options: [{ text: { type: "plain_text", text: "Web" }, value: "web" }] } },
      when: { d: { type: "datetimepicker", selected_date_time: 1796157600 } },
      b5: { m: { type: "multi_static_select", selected_options: [{ text: { type: "plain_text", text: "X" }, value: "x" }] } },
    });
  });

  it("reports an empty text input as null, as Slack does", () => {
    expect(viewState(view, {}).title).toEqual({ t: { type: "plain_text_input", value: null } });
  });

  it("builds a block action for a button, a select and an overflow menu", () => {
    const msg = [{ type: "actions", block_id: "roles", elements: [{ type: "button", action_id: "take", text: { type: "plain_text", text: "Take" }, value: "v1" }, { type: "overflow", action_id: "o", options: [{ text: { type: "plain_text", text: "Snooze" }, value: "snooze" }] }] }, ...view];
    expect(actionOf(msg, "0.0", undefined)).toMatchObject({ action_id: "take", block_id: "roles", type: "button", value: "v1", text: { text: "Take" } });
    expect(actionOf(msg, "0.1", "snooze")).toMatchObject({ action_id: "o", type: "overflow", selected_option: { value: "snooze" } });
    expect(actionOf(msg, "2.0", "SEV1")).toMatchObject({ action_id: "s", block_id: "sev", selected_option: { value: "SEV1" } });
    expect(actionOf(msg, "7.0", "x")).toBeUndefined();
  });
});
