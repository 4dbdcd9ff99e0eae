/**
 * Gzip inflation with the platform's DecompressionStream (native in Node 20 and browsers), chunk by chunk.
 *
 * The caller consumes each inflated chunk as it comes and says when it has what it needs, so nothing is held but
 * what the caller keeps: the map reader (lib/io/mrc-reader.ts) sizes its buffer once from the MRC header, skips the
 * extended header, and stops at the size the header declares, so a gzip bomb is never inflated further.
 */
import { MapFormatError } from "../errors.js";

/** Takes what it needs of an inflated chunk and returns how many bytes it took; fewer than offered means "full". */
export type ChunkConsumer = (chunk: Uint8Array) => number;

/**
 * Inflate `gz`, handing each chunk to `consume` until the stream ends or the consumer takes less than a whole chunk.
 * Resolves to whether the stream had more data than the consumer took (the rest is neither inflated nor checked). A
 * consumer that throws cancels the stream and the error propagates; zlib failures become
 * MapFormatError("gzip-corrupt").
 */
export async function inflateChunks(gz: Uint8Array, consume: ChunkConsumer): Promise<{ streamContinues: boolean }> {
  const reader = new ReadableStream<BufferSource>({
    start(controller) {
      controller.enqueue(gz as Uint8Array<ArrayBuffer>); // the stream types exclude SharedArrayBuffer views
      controller.close();
    },
  })
    .pipeThrough(new DecompressionStream("gzip"))
    .getReader();
  const stop = (): void => void reader.cancel().catch(() => undefined);

  for (;;) {
    let chunk: ReadableStreamReadResult<Uint8Array>;
    try {
      chunk = await reader.read();
    } catch (error) {
      throw new MapFormatError("gzip-corrupt", `corrupt gzip: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (chunk.done) return { streamContinues: false };
    let taken: number;
    try {
      taken = consume(chunk.value);
    } catch (error) {
      stop();
      throw error;
    }
    if (taken < chunk.value.length) {
      stop();
      return { streamContinues: true };
    }
  }
}
