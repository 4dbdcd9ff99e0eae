/**
 * A band Web Worker (src/workers/web-band-executor.ts): the browser's twin of data-loaders/workers/band-worker.ts. It is given
 * one job's definition, then computes the tasks it is handed, one at a time, with the kernel's own computer for the job
 * (lib/local/band-kernels.ts), and answers with each task's result (transferred) or its error.
 *
 * Messages in:  {type: "job", definition: BandJob} then {type: "task", index}
 * Messages out: {type: "progress", index, fraction} as the task is computed, then {type: "done", index, out:
 *               Float32Array | Float64Array} or {type: "failed", index, message}
 */
import { bandComputer } from "../../lib/local/band-kernels.js";
import type { BandComputer, BandJob } from "../../lib/local/bands.js";

export type ToBandWorker = { type: "job"; definition: BandJob } | { type: "task"; index: number };
export type FromBandWorker =
  | { type: "progress"; index: number; fraction: number }
  | { type: "done"; index: number; out: Float32Array | Float64Array }
  | { type: "failed"; index: number; message: string };

const scope = self as unknown as {
  postMessage(message: FromBandWorker, transfer?: Transferable[]): void;
  onmessage: ((event: MessageEvent<ToBandWorker>) => void) | null;
};

let job: { compute: BandComputer; result: BandJob["result"] } | null = null;
let failure: string | null = null;

scope.onmessage = ({ data: message }) => {
  if (message.type === "job") {
    try {
      job = { compute: bandComputer(message.definition), result: message.definition.result };
    } catch (error) {
      failure = error instanceof Error ? error.message : String(error);
    }
    return;
  }
  const { index } = message;
  try {
    if (failure !== null) throw new Error(failure);
    if (!job) throw new Error("no job was given to this band worker");
    const { type, length } = job.result;
    const out = type === "float32" ? new Float32Array(length) : new Float64Array(length);
    job.compute(index, out, (fraction) => scope.postMessage({ type: "progress", index, fraction }));
    scope.postMessage({ type: "done", index, out }, [out.buffer]);
  } catch (error) {
    scope.postMessage({ type: "failed", index, message: error instanceof Error ? error.message : String(error) });
  }
};
