/**
 * The page worker's second worker for Level 1 threshold moves (src/workers/fsc-pair.ts): it holds 1.a's randomised
 * halves and answers the FSC of them masked by each soft mask it is sent.
 */
import { fscPairHandler, type ToFscPair } from "./fsc-pair.js";

const scope = self as unknown as {
  postMessage(message: unknown, transfer: Transferable[]): void;
  onmessage: ((event: MessageEvent<ToFscPair>) => void) | null;
};
const handler = fscPairHandler((answer, transfer) => scope.postMessage(answer, transfer));
scope.onmessage = (event) => handler.receive(event.data);
