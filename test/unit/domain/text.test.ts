import { describe, expect, it } from "vitest";
import { escapeMrkdwn, oneLine, rawToSafe, safeToPlain, slackTextToPlain, slackTextToSafe, stripControls, truncate } from "../../../src/domain/text.ts";

describe("escaping for Slack", () => {
  it("escapes only &, < and >", () => {
    expect(escapeMrkdwn(`<!channel> & <@U123> "quotes" *bold*`)).toBe(`&lt;!channel&gt; &amp; &lt;@U123&gt; "quotes" *bold*`);
  });

  it("makes modal input inert", () => {
    expect(rawToSafe("<!channel> please look <@U123>")).toBe("&lt;!channel&gt; please look &lt;@U123&gt;");
  });

  it("keeps real user mentions from commands, drops broadcasts and user groups", () => {
    expect(slackTextToSafe("<!channel> <!here|here> <!everyone> <!subteam^S1|@sre> <@U0AB|x> <#C0AB|ops> <https://x.io|docs>")).toBe(
      "@channel @here @everyone @sre <@U0AB> <#C0AB> <https://x.io|docs>",
    );
  });

  it("never lets a forged token through: text typed with < arrives escaped and stays so", () => {
    expect(slackTextToSafe("&lt;!channel&gt; &lt;@U123&gt;")).toBe("&lt;!channel&gt; &lt;@U123&gt;");
  });

  it("re-escapes a stray ampersand", () => {
    expect(slackTextToSafe("R&D")).toBe("R&amp;D");
  });
});

describe("plain text", () => {
  it("turns tokens into words", () => {
    expect(slackTextToPlain("<!here> <@U1|bob> <@U2> <#C1|ops> <!date^1^{date}|Jan 1> <https://a.b|link> <mailto:x@y>")).toBe(
      "@here @bob @U2 #ops Jan 1 link (https://a.b) mailto:x@y",
    );
  });

  it("reads safe text back as plain text, naming users when it can", () => {
    expect(safeToPlain("asked <@U1> &amp; <@U2> about &lt;x&gt;", (id) => (id === "U1" ? "alice" : undefined))).toBe("asked @alice & @U2 about <x>");
  });

  it("strips controls and bidi overrides but keeps right-to-left letters", () => {
    expect(stripControls("a\u0000b\u202Ec\u2066d\nשלום")).toBe("abcd\nשלום");
  });

  it("collapses lines and truncates with an ellipsis", () => {
    expect(oneLine(" a \n\t b ")).toBe("a b");
    expect(truncate("abcdef", 4)).toBe("abc…");
    expect(truncate("abc", 4)).toBe("abc");
  });
});
