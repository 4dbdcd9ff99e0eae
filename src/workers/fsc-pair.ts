/**
 * The randomised pair of a Level 1 threshold move, apart from the page worker (src/workers/level0-worker.ts): whoever
 * holds 1.a's phase-randomised halves (taken from its part with takeRandomisedHalves, lib/level1/fsc.ts) answers, for
 * each soft mask, the FSC of the masked randomised halves (maskedPairFsc), while the page worker computes the masked
 * halves' own; fscWithMaskedCurves combines the two. `fscPairHandler` is the protocol of the second worker
 * (src/workers/fsc-pair-worker.ts), apart from its global scope so that tests can run it in one thread.
 *
 * Messages in:  {type: "halves", key, shape, halves: [Float64Array, Float64Array] | null} (transferred; replaces any
 *               held; null: the part randomises nothing)
 *               {type: "fsc", id, key, mask: Float32Array} (the soft mask on the halves' grid, values in [0, 1];
 *               transferred)
 * Messages out: {type: "fsc", id, fsc: number[] | null, ms} (null: nothing randomised); {type: "superseded", id} for a
 *               request a newer one replaced before it was computed; {type: "error", id, message} (halves of another
 *               key, or none); each with the request's `mask`, transferred back for the next request to reuse.
 */
import { maskedPairFsc, pairFscBuffers, type PairFscBuffers } from "../../lib/level1/fsc.js";
import type { GridShape } from "../../lib/fourier/fft3d.js";

export interface PairHalves {
  type: "halves";
  /** What the halves are of (the part's mode and Ts): an "fsc" request of another key is refused. */
  key: string;
  shape: GridShape;
  halves: [Float64Array, Float64Array] | null;
}
export interface PairRequest {
  type: "fsc";
  id: number;
  key: string;
  mask: Float32Array;
}
export type ToFscPair = PairHalves | PairRequest;
export type FromFscPair = (
  | { type: "fsc"; id: number; fsc: number[] | null; ms: number }
  | { type: "superseded"; id: number }
  | { type: "error"; id: number; message: string }
) & { mask?: Float32Array };

/**
 * The second worker's state and answers: `receive(message)` takes a message; the answers go to `post`. Requests that
 * arrive while one is computed replace each other (the page worker's newest move is the one that counts): each is
 * answered, the replaced ones as superseded.
 */
export function fscPairHandler(post: (answer: FromFscPair, transfer: Transferable[]) => void): { receive(message: ToFscPair): void } {
  let held: { key: string; shape: GridShape; halves: [Float64Array, Float64Array] | null; buffers: PairFscBuffers | null } | null = null;
  let next: PairRequest | null = null;
  /** An answer to `request`, its mask going back with it. */
  const answer = (request: PairRequest, body: FromFscPair) => post({ ...body, mask: request.mask }, [request.mask.buffer]);
  const compute = () => {
    const request = next!;
    next = null;
    const { id } = request;
    if (!held || held.key !== request.key) return answer(request, { type: "error", id, message: `no randomised halves of ${request.key} here` });
    const started = performance.now();
    const { halves, shape } = held;
    if (!halves) return answer(request, { type: "fsc", id, fsc: null, ms: 0 });
    // The spectra and the product grid are kept for the next moves: a move allocates nothing here.
    held.buffers ??= pairFscBuffers(shape);
    const fsc = maskedPairFsc(halves[0], halves[1], request.mask, shape, false, held.buffers);
    answer(request, { type: "fsc", id, fsc, ms: performance.now() - started });
  };
  return {
    receive(message) {
      if (message.type === "halves") {
        held = { key: message.key, shape: message.shape, halves: message.halves, buffers: null };
        return;
      }
      if (next) answer(next, { type: "superseded", id: next.id });
      else setTimeout(compute, 0); // a macrotask: requests already queued arrive first, and only the newest is computed
      next = message;
    },
  };
}
