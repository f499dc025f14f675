// The comparison point for acknowledgement latency: a bare Bolt app (same HTTP receiver, same
// signature checks) that acknowledges any command and any button with nothing.
// Usage: PORT=… SLACK_SIGNING_SECRET=… node --import tsx bench/bare-bolt.ts

import { App, LogLevel } from "@slack/bolt";

const app = new App({
  signingSecret: process.env.SLACK_SIGNING_SECRET as string,
  token: "xoxb-bare-bolt",
  botId: "BBARE",
  botUserId: "UBARE",
  logLevel: LogLevel.ERROR,
});
app.command(/.*/, async ({ ack }) => {
  await ack();
});
app.action(/.*/, async ({ ack }) => {
  await ack();
});
await app.start(Number(process.env.PORT));
process.stdout.write("ready\n");
process.on("SIGTERM", () => {
  void app.stop().then(() => process.exit(0));
});
