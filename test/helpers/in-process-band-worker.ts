/**
 * A stand-in for the band Web Worker (src/workers/band-worker.ts) in the page-worker tests: the same protocol, answered
 * in this thread (a macrotask per task) by the same kernel (lib/local/band-kernels.ts). `tasksPosted` counts the tasks
 * handed to any of them, so that a test can tell whether a band run started.
 */
import { bandComputer } from "../../lib/local/band-kernels.js";
import type { BandJob } from "../../lib/local/bands.js";

export class InProcessBandWorker {
  static tasksPosted = 0;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onerror: unknown = null;
  private job: { compute: ReturnType<typeof bandComputer>; result: BandJob["result"] } | null = null;
  postMessage(message: { type: "job"; definition: BandJob } | { type: "task"; index: number }): void {
    if (message.type === "job") {
      this.job = { compute: bandComputer(message.definition), result: message.definition.result };
      return;
    }
    InProcessBandWorker.tasksPosted++;
    const { index } = message;
    setTimeout(() => {
      const { type, length } = this.job!.result;
      const out = type === "float32" ? new Float32Array(length) : new Float64Array(length);
      this.job!.compute(index, out);
      this.onmessage?.({ data: { type: "done", index, out } });
    }, 0);
  }
  terminate(): void {
    this.onmessage = null;
  }
}
