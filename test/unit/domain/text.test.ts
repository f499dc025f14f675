import { describe, expect, it } from "vitest";
import { escapeMrkdwn, oneLine, rawToSafe, safeToPlain, slackTextToPlain, slackTextToSafe, splitMrkdwn, stripControls, truncate } from "../../../src/domain/text.ts";

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

describe("splitMrkdwn", () => {
  it("leaves a text that fits as one piece, even an empty one", () => {
    expect(splitMrkdwn("short", 3000)).toEqual(["short"]);
    expect(splitMrkdwn("", 3000)).toEqual([""]);
  });

  it("cuts at a line break in the second half, else at a space, else hard", () => {
    expect(splitMrkdwn("aaaaaa\nbbbb", 8)).toEqual(["aaaaaa", "bbbb"]);
    expect(splitMrkdwn("aaaaaa bbbb", 8)).toEqual(["aaaaaa", "bbbb"]);
    expect(splitMrkdwn("a".repeat(20), 8)).toEqual(["aaaaaaaa", "aaaaaaaa", "aaaa"]);
  });

  it("never cuts inside an entity or a token", () => {
    for (const piece of splitMrkdwn("&lt;".repeat(1000), 3000)) {
      expect(piece.length).toBeLessThanOrEqual(3000);
      expect(piece).toMatch(/^(&lt;)+$/);
    }
    const mentions = splitMrkdwn(Array.from({ length: 400 }, (_, i) => `<@U${String(i).padStart(8, "0")}>`).join(""), 3000);
    for (const piece of mentions) expect(piece).toMatch(/^(<@U\d{8}>)+$/);
    expect(mentions.join("")).toHaveLength(400 * 12);
  });

  it("keeps every character of a long text, in order, in pieces that fit", () => {
    const text = Array.from({ length: 3000 }, (_, i) => (i % 7 === 0 ? "word\n" : i % 3 === 0 ? "&amp; " : "x ")).join("");
    const pieces = splitMrkdwn(text, 3000);
    expect(pieces.every((p) => p.length <= 3000)).toBe(true);
    expect(pieces.join("").replace(/\s/g, "")).toBe(text.replace(/\s/g, ""));
  });
});
