// A real postmortem, rendered from a full scripted incident (declare, roles, severity change, updates,
// notes, handoff, action items, resolve) on a clock moved by hand, compared with the committed golden
// file test/golden/postmortem.md. Regenerate it with UPDATE_GOLDEN=1 after a deliberate change, and
// read it: it should be a document a team would want to start from.

import fs from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { ROOT } from "../../support/bot-process.ts";
import { ManualClock } from "../../support/clock.ts";
import { type Harness, startHarness } from "../../support/harness.ts";
import { clickTake, submitDeclareForm, waitUntilReady } from "../../support/incidents.ts";
import { until } from "../../support/wait.ts";

const GOLDEN = path.join(ROOT, "test/golden/postmortem.md");
const clock = new ManualClock("2026-01-31T14:23:00Z");
let h: Harness;

beforeAll(async () => {
  h = await startHarness({ start: { clock } });
});
afterAll(async () => {
  await h?.stop();
});

it("drafts the postmortem of a full incident as the golden file says", async () => {
  const { alice, bob, carol, dave } = h.users;
  await submitDeclareForm(h, {
    title: "Checkout errors spiking",
    severity: "SEV2",
    impact: "About 30% of checkout attempts in the EU fail with HTTP 502",
    detection: "Pager alert: checkout 5xx rate above 5% for 5 minutes",
  }, alice);
  const row = await h.db.incident.findFirstOrThrow({ where: { title: "Checkout errors spiking" } });
  const inc = await waitUntilReady(h, row.id);
  const cmd = async (at: string, text: string, user = alice) => {
    clock.at(at);
    const res = await h.slack.command(text, { user: user.id, channel: inc.channel.id });
    expect(res.status).toBe(200);
    expect(res.json?.text).not.toMatch(/^:warning:|is not|Only the/);
  };

  clock.at("14:25");
  await clickTake(h, inc, "tech", bob);
  await cmd("14:26", `role comms <@${carol.id}|carol>`);
  await cmd("14:31", "note Errors started right after deploy 4812 of the payments service", bob);
  await cmd("14:38", "sev 1 Impact widened to every region; orders are being lost");
  await cmd("14:40", "update Rolling back deploy 4812. Status page updated.", carol);
  await cmd("14:50", "status identified", bob);
  await cmd("14:52", "update Identified: deploy 4812 ran a migration that dropped an index on the orders table", bob);
  await cmd("14:55", "note Index recreated on the primary; error rate falling", bob);
  await cmd("15:05", "status monitoring");
  await cmd("15:06", "update Error rate back to baseline; watching for 30 minutes", carol);
  await cmd("15:20", `handoff <@${dave.id}|dave> Going off shift; monitoring is quiet`);
  await cmd("15:30", "update Still at baseline; preparing the resolution", dave);
  await cmd("15:36", `action Add index validation to migration CI <@${bob.id}> due 2026-02-07 P1`, dave);
  await cmd("15:37", `action Update the database incident runbook <@${carol.id}> due 2026-02-10`, dave);
  await cmd("15:38", `action Automate status page updates from incident updates <@${dave.id}> due 2026-02-21`, dave);

  clock.at("15:58");
  const open = await h.slack.command("resolve", { user: dave.id, channel: inc.channel.id });
  const view = (await until(() => h.fake.okCallsTo("views.open").find((c) => c.args.trigger_id === open.triggerId), 5000, "the resolve form")).response.view as Record<string, unknown>;
  await h.slack.interaction({
    type: "view_submission",
    user: { id: dave.id },
    view: {
      ...view,
      state: {
        values: {
          summary: { value: { type: "plain_text_input", value: "Rolled back deploy 4812 and recreated the dropped orders index; checkout errors have been at baseline since 15:05 UTC." } },
          root_cause: { value: { type: "plain_text_input", value: "A schema migration in deploy 4812 dropped the orders table's index on customer_id. Queries fell back to sequential scans and timed out under EU peak load. The migration check in CI does not flag index drops." } },
        },
      },
    },
  });
  const markdown = await until(async () => {
    const pm = await h.db.postmortem.findUnique({ where: { incidentId: inc.id } });
    return pm?.publishedAt ? pm.markdown : undefined;
  }, 5000, "the postmortem to be published");
  expect(markdown).not.toBe("");
  const canvas = h.fake.ws.canvases.get(inc.channel.canvasId as string);
  expect(canvas?.markdown).toBe(markdown);

  if (process.env.UPDATE_GOLDEN) await fs.writeFile(GOLDEN, markdown);
  expect(markdown).toBe(await fs.readFile(GOLDEN, "utf8"));
});
