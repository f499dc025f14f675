// The thread the schema engine runs in (see applyMigrations in migrate.ts): it applies the
// migrations, answers with their names or the error's message, and ends, taking the engine with it.

import { parentPort, workerData } from "node:worker_threads";
import { createLogger, type LogLevel } from "../log.ts";
import { applyWithEngine, type WorkerAnswer, type WorkerRequest } from "./migrate.ts";

const request = workerData as WorkerRequest;
const log = createLogger(request.level as LogLevel);
let answer: WorkerAnswer;
try {
  answer = { applied: await applyWithEngine(request.connection, log, request.only) };
} catch (err) {
  answer = { error: err instanceof Error ? err.message : String(err) };
}
log.flush();
// oxlint-disable-next-line unicorn/require-post-message-target-origin -- a worker_threads port, not a window
parentPort?.postMessage(answer);
