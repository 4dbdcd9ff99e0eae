/** The page worker's message handling, run in Node with a stand-in for the worker's global scope. */
import { beforeAll, describe, expect, it } from "vitest";

const posted: unknown[] = [];
const scope: { postMessage(message: unknown): void; onmessage: ((event: { data: unknown }) => void) | null } = {
  postMessage: (message) => void posted.push(message),
  onmessage: null,
};

beforeAll(async () => {
  (globalThis as { self?: unknown }).self = scope;
  await import("../src/workers/level0-worker.js");
});

function send(data: unknown): unknown[] {
  posted.length = 0;
  scope.onmessage!({ data });
  return [...posted];
}

describe("level0 worker: messages it cannot handle", () => {
  it.each([
    [null, /expected a message object, got null/],
    [7, /expected a message object, got 7/],
    [{ type: "explode" }, /unknown message type "explode"/],
    [{ type: "report", id: 1, threshold: 1, mode: "fast", parameters: {} }, /report: unknown mode "fast"; expected default or vrs-compat/],
    [{ type: "report", id: 1, threshold: "1", mode: "default", parameters: {} }, /threshold 1 is not a finite number/],
    [{ type: "sweep", id: 1, thresholds: [1, Number.NaN], mode: "default", parameters: {} }, /thresholds must be finite numbers/],
    [{ type: "init", data: [1, 2] }, /init: data must be a Float32Array/],
    [{ type: "local", id: 1, threshold: 1, mode: "default", workers: 0, bandWorkerUrl: "band.js" }, /local: workers must be a whole number from 1 to 32, got 0/],
    [{ type: "local", id: 1, threshold: 1, mode: "default", workers: 1e9, bandWorkerUrl: "band.js" }, /local: workers must be a whole number from 1 to 32, got 1000000000/],
    [{ type: "local", id: 1, threshold: Number.NaN, mode: "default", workers: 2, bandWorkerUrl: "band.js" }, /local: threshold NaN is not a finite number/],
    [{ type: "local", id: 1, threshold: 1, mode: "default", workers: 2 }, /local: bandWorkerUrl must be a string/],
  ])("%j is answered with an error message, not a throw", (data, message) => {
    let answers: unknown[] = [];
    expect(() => (answers = send(data))).not.toThrow();
    expect(answers).toEqual([{ type: "error", id: null, request: "invalid", message: expect.stringMatching(message) }]);
  });

  it("a well-formed request is accepted (no error; answered once a map is loaded)", () => {
    expect(send({ type: "report", id: 1, threshold: 0.5, mode: "vrs-compat", parameters: {} })).toEqual([]);
  });
});
