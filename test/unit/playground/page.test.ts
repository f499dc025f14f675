// The playground's pages from a workspace, and the workspace saved and read back: what a person sees
// (their ephemerals only, private channels only if a member, pins, topic, routes to canvases), and a
// restart that finds everything as it was.

import { describe, expect, it } from "vitest";
import { Workspace } from "../../../src/local-slack/workspace.ts";
import { canvasPane, channelPane, filePane, modal, paneHtml, sidebar } from "../../../src/playground/page.ts";

function workspace() {
  const ws = new Workspace({ teamName: "Acme", teamDomain: "acme" });
  const alice = ws.addUser("alice", { realName: "Alice Adams" });
  const bob = ws.addUser("bob", { realName: "Bob Brown" });
  const general = ws.addChannel("general", { members: [alice.id, bob.id], creator: alice.id });
  const secret = ws.addChannel("inc-2026-12-01-breach", { isPrivate: true, members: [ws.botUserId, alice.id] });
  return { ws, alice, bob, general, secret };
}

describe("the pages", () => {
  it("lists public channels, and private ones only for their members", () => {
    const { ws, alice, bob } = workspace();
    expect(sidebar(ws, alice.id, "")).toContain("inc-2026-12-01-breach");
    expect(sidebar(ws, bob.id, "")).not.toContain("inc-2026-12-01-breach");
    expect(sidebar(ws, bob.id, "")).toContain("general");
    // the channels the app made (its incident channels) stand out; the people's do not
    expect(sidebar(ws, alice.id, "")).toMatch(/class="side-item incident"[^>]*><span class="hash">🔒<\/span>inc-2026-12-01-breach/);
    expect(sidebar(ws, alice.id, "")).not.toMatch(/class="side-item incident"[^>]*><span class="hash">#<\/span>general/);
  });

  it("shows a channel's topic, pins and canvas, and each person only their own ephemerals", () => {
    const { ws, alice, bob, general } = workspace();
    general.topic = "INC-1 SEV1 · <@" + alice.id + ">";
    const m = ws.addMessage(general.id, alice.id, "Failover done");
    general.pins.add(m.ts);
    general.canvasId = "F1";
    ws.addEphemeral(general.id, bob.id, "only for Bob");
    const forAlice = paneHtml(channelPane(ws, general, alice.id));
    const forBob = paneHtml(channelPane(ws, general, bob.id));
    expect(forAlice).toContain("@Alice Adams");
    expect(forAlice).toContain("📌 1 pinned");
    expect(forAlice).toContain('href="#/canvas/F1"');
    expect(forAlice).not.toContain("only for Bob");
    expect(forBob).toContain("only for Bob");
    expect(forBob).toContain("Only visible to you");
  });

  it("keeps messages in time order with the person's ephemerals among them", () => {
    const { ws, alice, general } = workspace();
    ws.addMessage(general.id, alice.id, "first");
    ws.addEphemeral(general.id, alice.id, "second");
    ws.addMessage(general.id, alice.id, "third");
    const html = paneHtml(channelPane(ws, general, alice.id));
    expect(html.indexOf("first")).toBeLessThan(html.indexOf("second"));
    expect(html.indexOf("second")).toBeLessThan(html.indexOf("third"));
  });

  it("renders a canvas's markdown, and routes back to its channel", () => {
    const { ws, general } = workspace();
    ws.canvases.set("F1", { id: "F1", title: "Postmortem: INC-1", markdown: "# Postmortem\n\n| a | b |\n|---|---|\n| 1 | 2 |", channelId: general.id, edits: 0 });
    const page = canvasPane(ws, "F1");
    expect(page?.pane).toContain("<h1>Postmortem</h1>");
    expect(page?.pane).toContain("<table>");
    expect(page?.pane).toContain(`href="#/c/${general.id}"`);
    expect(canvasPane(ws, "F404")).toBeUndefined();
  });

  it("shows an uploaded file: a Markdown postmortem rendered, other text as it is, and a chip in its message", () => {
    const { ws, alice, general } = workspace();
    ws.files.set("F7", { id: "F7", filename: "postmortem-inc-1.md", title: "Postmortem: INC-1", length: 20, content: Buffer.from("# Postmortem\n\n- first"), channels: [general.id] });
    ws.files.set("F8", { id: "F8", filename: "export.csv", length: 9, content: Buffer.from("a,b\n<1>,2"), channels: [general.id] });
    ws.addAppMessage(general.id, "The draft", { files: ["F7"] });
    expect(filePane(ws, "F7", "/files/F7?t=tok")?.pane).toContain("<h1>Postmortem</h1>");
    expect(filePane(ws, "F8", "/files/F8?t=tok")?.pane).toContain('<pre class="file-text">a,b\n&lt;1&gt;,2</pre>');
    expect(filePane(ws, "F8", "/files/F8?t=tok")?.pane).toContain('href="/files/F8?t=tok" download="export.csv"');
    expect(paneHtml(channelPane(ws, general, alice.id))).toContain('<a class="file-chip" href="#/file/F7">📄 Postmortem: INC-1</a>');
    expect(filePane(ws, "F404", "/files/F404")).toBeUndefined();
  });

  it("renders the top modal of a stack with a way back, and keys it by view, hash and errors", () => {
    const { ws, alice } = workspace();
    const view = { type: "modal", title: { type: "plain_text", text: "Declare" }, submit: { type: "plain_text", text: "Declare" }, blocks: [] };
    ws.views.set("V1", { id: "V1", hash: "h1", user: alice.id, view, rootId: "V1" });
    ws.views.set("V2", { id: "V2", hash: "h2", user: alice.id, view, rootId: "V1", previousId: "V1" });
    ws.modalStacks.set(alice.id, ["V1", "V2"]);
    const top = modal(ws, ws.topModal(alice.id), { title: "x" });
    expect(top.modal).toContain('data-view="V2"');
    expect(top.modal).toContain('aria-label="Back"');
    expect(top.modalKey).toBe('V2:h2:{"title":"x"}');
    expect(ws.closeModal(alice.id).map((v) => v.id)).toEqual(["V2"]);
    expect(ws.topModal(alice.id)?.id).toBe("V1");
    expect(modal(ws, undefined, undefined)).toEqual({ modal: "", modalKey: "" });
  });
});

describe("the workspace saved and read back", () => {
  it("keeps people, channels, messages, reactions, pins, views, canvases and files", () => {
    const { ws, alice, general } = workspace();
    const m = ws.addMessage(general.id, alice.id, "hello");
    m.reactions.set("pushpin", new Set([alice.id]));
    general.pins.add(m.ts);
    ws.files.set("F9", { id: "F9", filename: "postmortem.md", length: 3, content: Buffer.from("# x"), channels: [general.id] });
    ws.homeViews.set(alice.id, { id: "V9", hash: "h", user: alice.id, view: { type: "home", blocks: [] }, rootId: "V9" });
    const saved = JSON.parse(JSON.stringify(ws.snapshot()));
    const back = new Workspace({ teamName: "Acme", teamDomain: "acme" }).restore(saved);
    const g = back.channelByName("general");
    expect(g?.members).toEqual(general.members);
    expect(g?.messages[0]?.reactions.get("pushpin")).toEqual(new Set([alice.id]));
    expect(g?.pins.has(m.ts)).toBe(true);
    expect(back.files.get("F9")?.content?.toString()).toBe("# x");
    expect(back.homeViews.get(alice.id)?.id).toBe("V9");
    expect(back.users.get(alice.id)?.realName).toBe("Alice Adams");
    expect(Number(back.nextTs())).toBeGreaterThan(Number(m.ts));
  });

  it("makes new ids after the highest saved one (a new process starts its counter at zero)", () => {
    const { ws } = workspace();
    const saved = JSON.parse(JSON.stringify(ws.snapshot()));
    saved.conversations[0].id = "C4ZZZZZ";
    const back = new Workspace().restore(saved);
    const next = back.addChannel("next");
    expect(Number.parseInt(next.id.slice(1), 36)).toBeGreaterThan(Number.parseInt("4ZZZZZ", 36));
  });
});
