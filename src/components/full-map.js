// @ts-check
/**
 * The full map of an entry page whose figures are drawn from a downsampled copy (above 160³ voxels: data-loaders/site/
 * site-entry.ts, pageVolumes). The page's numbers are only ever the full map's: until it is fetched the page shows the
 * loader's report at the entry's threshold, and the first change of threshold, mode or criteria (or the Load button)
 * fetches it, with its progress.
 *
 *   fullMapFetch(url, bytes, onProgress)  the file's float32 voxels, streamed into one buffer of the size the loader
 *                                         recorded; a response of another size is refused
 *   fullMapLoader({bytes}, url)           load() (fetched once; again after a failure), state, observe (for
 *                                         Generators.observe): {state: idle|loading|loaded|error|too-large, received,
 *                                         total, message}
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
 * @typedef {{state: FullMapState, load(): Promise<Float32Array>, observe(notify: (state: FullMapState) => void): () => void}} FullMapLoader
 */

/**
 * @param {{bytes: number}} full report.json's `full`
 * @param {string} url volume-full.f32's address
 * @param {typeof fetch} [fetchImpl]
 * @returns {FullMapLoader}
 */
export function fullMapLoader({bytes}, url, fetchImpl) {
  const bus = new EventTarget();
  /** @type {Promise<Float32Array> | null} */
  let loading = null;
  const loader = /** @type {FullMapLoader} */ ({
    state: {state: bytes > OPEN_MAP_MAX_BYTES ? "too-large" : "idle", received: 0, total: bytes}
  });
  const set = (/** @type {Partial<FullMapState>} */ change) => {
    loader.state = {...loader.state, ...change};
    bus.dispatchEvent(new Event("change"));
  };
  loader.load = () => {
    if (loader.state.state === "too-large") return Promise.reject(new Error(`the map is ${mebibytes(bytes)}`));
    if (loading) return loading;
    set({state: "loading", received: 0, message: undefined});
    loading = fullMapFetch(url, bytes, (received) => set({state: "loading", received}), fetchImpl).then(
      (data) => (set({state: "loaded", received: bytes}), data),
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
 * @param {{threshold: number, factor: number}} entry the entry's threshold (of the loader's report) and the copy's factor
 */
export function fullMapStatus({state, received, total, message}, load, {threshold, factor}) {
  const size = mebibytes(total);
  const button = (/** @type {string} */ label) => html`<button type="button" data-testid="full-map-load" onclick=${load}>${label}</button>`;
  const body = state === "loaded"
    ? html`Live numbers from the full map (${size}, every voxel); the figures are drawn from a copy downsampled ${factor}× per axis.`
    : state === "loading"
    ? html`Fetching the full map for live numbers: <progress data-testid="full-map-progress" max=${total} value=${received}></progress>
      <span data-testid="full-map-received">${mebibytes(received)} of ${size}</span>`
    : state === "too-large"
    ? html`The full map (${size}) is too large for this page: the numbers are those at the entry's threshold
      (${significant(threshold, 6)}), computed when the site was built; <code>mapval report</code> gives them at other thresholds.`
    : html`${state === "error" ? html`<strong class="error">The full map could not be fetched: ${message}.</strong> ` : ""}Numbers
      shown: the full map's at the entry's threshold (${significant(threshold, 6)}), computed when the site was built. Other
      thresholds and criteria need the full map (${size}), fetched on the first change: ${button(state === "error" ? "Try again" : "Fetch it now")}`;
  return html`<p class="full-map" data-testid="full-map" data-state=${state}>${body}</p>`;
}
