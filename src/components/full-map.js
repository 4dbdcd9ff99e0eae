// @ts-check
/**
 * The full map of an entry page whose figures are drawn from a downsampled copy (above 160³ voxels: data-loaders/site/
 * site-entry.ts, pageVolumes), with the entry's two half maps when it has them. The page's numbers are only ever the
 * full map's: until it is fetched the page shows the loader's report at the entry's threshold, and the first change of
 * threshold, mode or criteria (or the Load button) fetches it, with its progress.
 *
 *   fullMapFetch(url, bytes, onProgress)  the file's float32 voxels, streamed into one buffer of the size the loader
 *                                         recorded; a response of another size is refused
 *   fullMapLoader(files)                  files: [{url, bytes}] (the map, then its half maps if any), fetched one after
 *                                         the other; load() (once; again after a failure) resolves to their voxels in
 *                                         that order; state, observe (for Generators.observe): {state: idle|loading|
 *                                         loaded|error|too-large, received, total (bytes of all files), message}
 *   fullMapStatus(state, load)            the line under the slider (data-testid="full-map", data-state): its size and a
 *                                         Load button (full-map-load), a progress bar (full-map-progress), or the error
 */
import {html} from "htl";
import {OPEN_MAP_MAX_BYTES} from "../lib/io/mrc-reader.js";
import {fixed, significant} from "../lib/report/format.js";

/** @param {number} bytes */
export const mebibytes = (bytes) => `${fixed(bytes / 2 ** 20, 1)} MiB`;

/**
 * @param {string} url
 * @param {number} bytes the size the loader recorded (report.json's `full.bytes`)
 * @param {(received: number) => void} onProgress called as each piece arrives
 * @param {typeof fetch} [fetchImpl]
 * @returns {Promise<Float32Array>}
 */
export async function fullMapFetch(url, bytes, onProgress, fetchImpl = fetch) {
  if (!(Number.isInteger(bytes) && bytes > 0 && bytes % 4 === 0 && bytes <= OPEN_MAP_MAX_BYTES))
    throw new Error(`the recorded size ${bytes} is not a float32 map of at most ${mebibytes(OPEN_MAP_MAX_BYTES)}`);
  const response = await fetchImpl(url);
  if (!response.ok || !response.body) throw new Error(`the server answered ${response.status} ${response.statusText}`.trim());
  const buffer = new Uint8Array(bytes);
  const reader = response.body.getReader();
  let received = 0;
  for (;;) {
    const {done, value} = await reader.read();
    if (done) break;
    if (received + value.byteLength > bytes) {
      await reader.cancel();
      throw new Error(`the file is larger than the ${bytes} bytes recorded when the site was built`);
    }
    buffer.set(value, received);
    received += value.byteLength;
    onProgress(received);
  }
  if (received !== bytes) throw new Error(`the file ended after ${received} of the ${bytes} bytes recorded when the site was built`);
  return new Float32Array(buffer.buffer);
}

/**
 * @typedef {{state: "idle" | "loading" | "loaded" | "error" | "too-large", received: number, total: number, message?: string}} FullMapState
 * @typedef {{state: FullMapState, load(): Promise<Float32Array[]>, observe(notify: (state: FullMapState) => void): () => void}} FullMapLoader
 */

/**
 * @param {{url: string, bytes: number}[]} files the full map (report.json's `full.bytes`, volume-full.f32's address),
 *   then its half maps if the page needs them
 * @param {typeof fetch} [fetchImpl]
 * @returns {FullMapLoader}
 */
export function fullMapLoader(files, fetchImpl) {
  const bus = new EventTarget();
  /** @type {Promise<Float32Array[]> | null} */
  let loading = null;
  const total = files.reduce((sum, file) => sum + file.bytes, 0);
  // Each file is a map of the grid: one above the open page's limit is refused before anything is fetched.
  const largest = Math.max(...files.map((file) => file.bytes));
  const loader = /** @type {FullMapLoader} */ ({
    state: {state: largest > OPEN_MAP_MAX_BYTES ? "too-large" : "idle", received: 0, total}
  });
  const set = (/** @type {Partial<FullMapState>} */ change) => {
    loader.state = {...loader.state, ...change};
    bus.dispatchEvent(new Event("change"));
  };
  /** The files one after the other, the progress counted over all of them. */
  const fetchAll = async () => {
    const voxels = [];
    let before = 0;
    for (const {url, bytes} of files) {
      voxels.push(await fullMapFetch(url, bytes, (received) => set({state: "loading", received: before + received}), fetchImpl));
      before += bytes;
    }
    return voxels;
  };
  loader.load = () => {
    if (loader.state.state === "too-large") return Promise.reject(new Error(`the map is ${mebibytes(largest)}`));
    if (loading) return loading;
    set({state: "loading", received: 0, message: undefined});
    loading = fetchAll().then(
      (data) => (set({state: "loaded", received: total}), data),
      (error) => {
        loading = null; // a later move tries again
        set({state: "error", message: error.message});
        throw error;
      });
    return loading;
  };
  loader.observe = (notify) => {
    const update = () => notify(loader.state);
    update();
    bus.addEventListener("change", update);
    return () => bus.removeEventListener("change", update);
  };
  return loader;
}

/**
 * @param {FullMapState} state
 * @param {() => void} load
 * @param {{threshold: number, factor: number, halves?: boolean}} entry the entry's threshold (of the loader's report),
 *   the copy's factor, and whether the half maps come with the full map
 */
export function fullMapStatus({state, received, total, message}, load, {threshold, factor, halves = false}) {
  const size = mebibytes(total);
  const what = halves ? "the full map and its two half maps" : "the full map";
  const button = (/** @type {string} */ label) => html`<button type="button" data-testid="full-map-load" onclick=${load}>${label}</button>`;
  const body = state === "loaded"
    ? html`Live numbers from ${what} (${size}, every voxel); the figures are drawn from a copy downsampled ${factor}× per axis.`
    : state === "loading"
    ? html`Fetching ${what} for live numbers: <progress data-testid="full-map-progress" max=${total} value=${received}></progress>
      <span data-testid="full-map-received">${mebibytes(received)} of ${size}</span>`
    : state === "too-large"
    ? html`${halves ? "The full map and its two half maps" : "The full map"} (${size}) ${halves ? "are" : "is"} too large for this page: the numbers are those at the entry's threshold
      (${significant(threshold, 6)}), computed when the site was built; <code>mapval report</code> gives them at other thresholds.`
    : html`${state === "error" ? html`<strong class="error">The full map could not be fetched: ${message}.</strong> ` : ""}Numbers
      shown: the full map's at the entry's threshold (${significant(threshold, 6)}), computed when the site was built. Other
      thresholds and criteria need ${what} (${size}), fetched on the first change: ${button(state === "error" ? "Try again" : "Fetch it now")}`;
  return html`<p class="full-map" data-testid="full-map" data-state=${state}>${body}</p>`;
}
