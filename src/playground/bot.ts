// How the playground runs the bot: as `npm start` runs it (package.json's start script; a unit test
// keeps the two equal), in its own process, on its own embedded database.

import net from "node:net";

/** The node flags `npm start` runs the bot with. */
export const START_FLAGS = ["--max-semi-space-size=4", "--max-old-space-size=192"];

/**
 * The environment `npm start` gives the bot: one malloc arena (glibc), so memory V8's background
 * threads use while compiling is given back rather than kept in arenas of their own.
 */
export const START_ENV = { MALLOC_ARENA_MAX: "1" };

/** A TCP port free on loopback now (the bot's own, behind the playground). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}
