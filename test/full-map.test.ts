// The entry page's fetch of its full map (src/components/full-map.js), against responses made here: the bytes arrive in
// pieces, each counted; a file of another size than the loader recorded, or a size no browser page takes, is refused.
import { expect, test } from "vitest";
import { fullMapFetch, fullMapLoader } from "../src/components/full-map.js";
import { OPEN_MAP_MAX_BYTES } from "../lib/io/mrc-reader.js";

/** A fetch answering with `pieces` as the body's chunks (status 200 unless given). */
function fakeFetch(pieces: Uint8Array[], status = 200) {
  const calls: string[] = [];
  const impl = (async (url: string) => {
    calls.push(url);
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const piece of pieces) controller.enqueue(piece);
        controller.close();
      },
    });
    return new Response(status === 200 ? body : null, { status });
  }) as unknown as typeof fetch;
  return { impl, calls };
}

const voxels = Float32Array.from({ length: 30 }, (_, i) => i / 3 - 2);
const bytes = new Uint8Array(voxels.buffer);

test("the full map is streamed into one buffer, progress after each piece; it reads back as the voxels sent", async () => {
  const { impl, calls } = fakeFetch([bytes.slice(0, 7), bytes.slice(7, 64), bytes.slice(64)]);
  const progress: number[] = [];
  const data = await fullMapFetch("volume-full.f32", bytes.byteLength, (received: number) => progress.push(received), impl);
  expect(calls).toEqual(["volume-full.f32"]);
  expect(progress).toEqual([7, 64, 120]);
  expect(Array.from(data)).toEqual(Array.from(voxels));
});

test("a file longer or shorter than recorded, a failed response and an unusable recorded size are refused", async () => {
  const ignore = () => {};
  await expect(fullMapFetch("u", 116, ignore, fakeFetch([bytes]).impl)).rejects.toThrow(
    "the file is larger than the 116 bytes recorded when the site was built");
  await expect(fullMapFetch("u", 124, ignore, fakeFetch([bytes]).impl)).rejects.toThrow(
    "the file ended after 120 of the 124 bytes recorded when the site was built");
  await expect(fullMapFetch("u", 120, ignore, fakeFetch([], 404).impl)).rejects.toThrow("the server answered 404");
  // Checked before any request: the size is the allocation.
  for (const size of [0, -4, 121, Number.NaN, OPEN_MAP_MAX_BYTES + 4]) {
    const { impl, calls } = fakeFetch([bytes]);
    await expect(fullMapFetch("u", size, ignore, impl)).rejects.toThrow(/^the recorded size .* is not a float32 map of at most 600\.0 MiB$/);
    expect(calls).toEqual([]);
  }
});

test("the loader fetches once, tries again after a failure, and refuses a map too large for the page without a request", async () => {
  const states: string[] = [];
  let answers = [fakeFetch([], 500), fakeFetch([bytes])];
  const impl = ((url: string) => answers.shift()!.impl(url)) as unknown as typeof fetch;
  const loader = fullMapLoader({ bytes: 120 }, "u", impl);
  loader.observe((s: { state: string }) => states.push(s.state));
  await expect(loader.load()).rejects.toThrow("the server answered 500");
  expect(loader.state).toMatchObject({ state: "error", message: "the server answered 500" });
  const first = loader.load();
  expect(loader.load()).toBe(first); // one fetch however often it is asked for
  expect(Array.from(await first)).toEqual(Array.from(voxels));
  expect(loader.state).toMatchObject({ state: "loaded", received: 120, total: 120 });
  expect(states).toEqual(["idle", "loading", "error", "loading", "loading", "loaded"]);

  answers = [];
  const large = fullMapLoader({ bytes: OPEN_MAP_MAX_BYTES + 4 }, "u", impl);
  expect(large.state.state).toBe("too-large");
  await expect(large.load()).rejects.toThrow("the map is 600.0 MiB");
});
