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
  const loader = fullMapLoader([{ url: "u", bytes: 120 }], impl);
  loader.observe((s: { state: string }) => states.push(s.state));
  await expect(loader.load()).rejects.toThrow("the server answered 500");
  expect(loader.state).toMatchObject({ state: "error", message: "the server answered 500" });
  const first = loader.load();
  expect(loader.load()).toBe(first); // one fetch however often it is asked for
  expect(Array.from((await first)[0])).toEqual(Array.from(voxels));
  expect(loader.state).toMatchObject({ state: "loaded", received: 120, total: 120 });
  expect(states).toEqual(["idle", "loading", "error", "loading", "loading", "loaded"]);

  answers = [];
  const large = fullMapLoader([{ url: "u", bytes: OPEN_MAP_MAX_BYTES + 4 }], impl);
  expect(large.state.state).toBe("too-large");
  await expect(large.load()).rejects.toThrow("the map is 600.0 MiB");
  // So is a half map of that size fetched with a small map.
  expect(fullMapLoader([{ url: "u", bytes: 120 }, { url: "h", bytes: OPEN_MAP_MAX_BYTES + 4 }], impl).state.state).toBe("too-large");
});

test("the map and its half maps: fetched in order, one progress over all three, each file's voxels", async () => {
  const halves = [Float32Array.from({ length: 30 }, (_, i) => -i), Float32Array.from({ length: 30 }, (_, i) => i * i)];
  const bodies: Record<string, Uint8Array[]> = {
    "volume-full.f32": [bytes.slice(0, 100), bytes.slice(100)],
    "half1.f32": [new Uint8Array(halves[0].buffer)],
    "half2.f32": [new Uint8Array(halves[1].buffer).slice(0, 60), new Uint8Array(halves[1].buffer).slice(60)],
  };
  const calls: string[] = [];
  const impl = ((url: string) => (calls.push(url), fakeFetch(bodies[url]).impl(url))) as unknown as typeof fetch;
  const loader = fullMapLoader(Object.keys(bodies).map((url) => ({ url, bytes: 120 })), impl);
  expect(loader.state).toMatchObject({ state: "idle", received: 0, total: 360 });
  const received: number[] = [];
  loader.observe((s: { state: string; received: number }) => s.state === "loading" && received.push(s.received));
  const [map, half1, half2] = await loader.load();
  expect(calls).toEqual(["volume-full.f32", "half1.f32", "half2.f32"]);
  expect(received).toEqual([0, 100, 120, 240, 300, 360]);
  expect(loader.state).toMatchObject({ state: "loaded", received: 360, total: 360 });
  expect([Array.from(map), Array.from(half1), Array.from(half2)]).toEqual([Array.from(voxels), Array.from(halves[0]), Array.from(halves[1])]);
});
