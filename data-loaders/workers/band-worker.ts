/**
 * A band worker thread (data-loaders/workers/band-pool.ts): computes one task at a time into the shared buffer it is given,
 * with the kernel's own computer for the job (lib/local/band-kernels.ts), and answers with the task's index or its error.
 */
import { parentPort } from "node:worker_threads";
import { bandComputer } from "../../lib/local/band-kernels.js";
import type { BandComputer, BandJob } from "../../lib/local/bands.js";
import type { FromWorker, ToWorker } from "./band-pool.js";

const port = parentPort!;
const jobs = new Map<number, { compute: BandComputer; result: BandJob["result"] }>();

port.on("message", (message: ToWorker) => {
  if (message.type === "release") {
    jobs.delete(message.job);
    return;
  }
  const { job, index, definition, out } = message;
  let reply: FromWorker;
  try {
    if (definition) jobs.set(job, { compute: bandComputer(definition), result: definition.result });
    const known = jobs.get(job);
    if (!known) throw new Error(`job ${job} was never defined in this worker`);
    known.compute(index, known.result.type === "float32" ? new Float32Array(out) : new Float64Array(out));
    reply = { type: "done", job, index };
  } catch (error) {
    reply = { type: "failed", job, index, message: error instanceof Error ? error.message : String(error) };
  }
  port.postMessage(reply);
});
