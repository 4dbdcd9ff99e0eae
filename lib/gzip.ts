/**
 * Bounded gzip inflation with the platform's DecompressionStream (native in Node 20 and browsers).
 *
 * The caller learns how many inflated bytes it needs from the first few (an MRC header), so a gzip bomb is never
 * inflated further than its own header claims, and the claim is checked by the caller before anything large is
 * allocated. The output buffer grows by doubling from 1 MiB, so memory stays within about twice the bytes actually
 * inflated.
 */
import { MapFormatError } from "./errors.js";

export interface InflateResult {
  /** The inflated bytes: all of them, or the first `needed` when the stream holds more. */
  bytes: Uint8Array;
  /** True when the stream had more data after `needed` bytes; the rest was neither inflated nor checked. */
  streamContinues: boolean;
}

const MIN_CAPACITY = 1 << 20;

/**
 * Inflate `gz` until the stream ends or `neededBytes(head)` bytes are out.
 *
 * `neededBytes` is called once with the first `headBytes` inflated bytes and returns the total wanted; it may throw
 * (e.g. a size check) and the stream is then cancelled. If the stream is shorter than `headBytes` it is returned
 * whole without calling `neededBytes`. Zlib failures become MapFormatError("gzip-corrupt").
 */
export async function inflateBounded(
  gz: Uint8Array,
  headBytes: number,
  neededBytes: (head: Uint8Array) => number,
): Promise<InflateResult> {
  const reader = new ReadableStream<BufferSource>({
    start(controller) {
      controller.enqueue(gz as Uint8Array<ArrayBuffer>); // the stream types exclude SharedArrayBuffer views
      controller.close();
    },
  })
    .pipeThrough(new DecompressionStream("gzip"))
    .getReader();

  let buffer = new Uint8Array(headBytes);
  let length = 0;
  let needed = -1; // unknown until the head is in

  const stop = (): void => {
    reader.cancel().catch(() => undefined);
  };
  const append = (chunk: Uint8Array): void => {
    if (length + chunk.length > buffer.length) {
      const capacity = Math.min(needed, Math.max(length + chunk.length, 2 * buffer.length, MIN_CAPACITY));
      const grown = new Uint8Array(capacity);
      grown.set(buffer.subarray(0, length));
      buffer = grown;
    }
    buffer.set(chunk, length);
    length += chunk.length;
  };

  for (;;) {
    let chunk: ReadableStreamReadResult<Uint8Array>;
    try {
      chunk = await reader.read();
    } catch (error) {
      throw new MapFormatError("gzip-corrupt", `corrupt gzip: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (chunk.done) return { bytes: buffer.subarray(0, length), streamContinues: false };
    const value = chunk.value;
    let offset = 0;
    while (offset < value.length) {
      if (needed < 0) {
        const take = Math.min(value.length - offset, headBytes - length);
        buffer.set(value.subarray(offset, offset + take), length);
        length += take;
        offset += take;
        if (length === headBytes) {
          try {
            needed = Math.max(neededBytes(buffer.subarray(0, length)), headBytes);
          } catch (error) {
            stop();
            throw error;
          }
        }
      } else if (length < needed) {
        const take = Math.min(value.length - offset, needed - length);
        append(value.subarray(offset, offset + take));
        offset += take;
      } else {
        stop();
        return { bytes: buffer.subarray(0, length), streamContinues: true };
      }
    }
  }
}
