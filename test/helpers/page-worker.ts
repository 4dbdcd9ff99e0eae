/**
 * The page worker (src/workers/level0-worker.ts) run in Node: a stand-in for the worker's global scope, installed and the
 * worker module loaded before the file's tests. `posted` collects what the worker posts; `scope.onmessage` sends to it.
 */
import { beforeAll } from "vitest";

export function pageWorker<M extends { type: string } = Record<string, unknown> & { type: string }>() {
  const posted: M[] = [];
  const scope: { postMessage(message: unknown): void; onmessage: ((event: { data: unknown }) => void) | null } = {
    postMessage: (message) => void posted.push(message as M),
    onmessage: null,
  };
  beforeAll(async () => {
    (globalThis as { self?: unknown }).self = scope;
    await import("../../src/workers/level0-worker.js");
  });
  return { posted, scope };
}
