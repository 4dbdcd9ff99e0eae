/**
 * The child process of one `mapval batch` entry (data-loaders/batch/batch.ts), so that a crash, a runaway allocation or a
 * hang costs that entry only. It takes one EntryJob from the parent over the IPC channel, does it
 * (data-loaders/batch/batch-job.ts) and sends back the messages; the parent writes every file. A child whose parent is gone
 * exits: nobody would write its result.
 */
import { failureClass, peakRssBytes, runEntryJob, type EntryJob, type FromEntry } from "./batch-job.js";

if (process.send === undefined) throw new Error("batch-entry is started by mapval batch (data-loaders/batch/batch.ts)");
// The channel is closed only once the last message has gone.
let sent = Promise.resolve();
const send = (message: FromEntry) => {
  sent = new Promise((resolve) => process.send!(message, undefined, {}, () => resolve()));
};
process.on("disconnect", () => process.exit(0));
process.once("message", (job: EntryJob) => {
  runEntryJob(job, send)
    .catch((error: unknown) => {
      const message = error instanceof Error ? error.message.replace(/\s*\n\s*/g, "; ") : String(error);
      send({ type: "failed", class: failureClass(error), message, peakRssBytes: peakRssBytes() });
    })
    .then(() => sent)
    .finally(() => process.disconnect());
});
