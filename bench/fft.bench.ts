/**
 * 3-D real FFT timings (forward and inverse, float64 internally) for box sizes that take each path of lib/fourier/fft.ts along x
 * (power of two, Cooley–Tukey steps for small odd primes, Rader for the prime 101, Bluestein for 202 = 2·101) and of
 * lib/fourier/fft-batch.ts along y and z (batched Stockham for lengths with no prime factor above 7), plus the
 * round-trip error, the full complex 3-D FFT and the 0.d section on 100³ and 256³ maps. Single thread; run with
 * `npm run bench -- fft`.
 */
import { complexFft3d, inverseRealFft3d, realFft3d } from "../lib/fourier/fft3d.js";
import { bfactorSection } from "../lib/level0/section-0d-bfactor.js";
import { centeredUniform } from "../test/helpers/random.js";

function randomVolume(n: number) {
  const data = Float32Array.from({ length: n * n * n }, centeredUniform(12345));
  return { nx: n, ny: n, nz: n, data, voxelSize: [1, 1, 1] as [number, number, number], origin: [0, 0, 0] as [number, number, number] };
}

function bestOf<T>(runs: number, task: () => T): { ms: number; value: T } {
  let ms = Infinity;
  let value!: T;
  for (let r = 0; r < runs; r++) {
    const start = performance.now();
    value = task();
    ms = Math.min(ms, performance.now() - start);
  }
  return { ms, value };
}

/** Which path lib/fourier/fft.ts takes for a line of length n. */
function linePath(n: number): string {
  if ((n & (n - 1)) === 0) return "fft.js radix-4";
  let odd = n;
  while (odd % 2 === 0) odd /= 2;
  for (let p = 3; p <= 31; p += 2) while (odd % p === 0) odd /= p;
  if (odd === 1) return "Cooley–Tukey steps + fft.js";
  let smooth = n - 1; // Rader needs a prime n whose n − 1 has no prime factor above 7
  for (const p of [2, 3, 5, 7]) while (smooth % p === 0) smooth /= p;
  return odd === n && smooth === 1 ? "Rader" : "Bluestein";
}

/** The paths of an n³ transform: x lines through lib/fourier/fft.ts, y and z lines through lib/fourier/fft-batch.ts. */
function lengthKind(n: number): string {
  let rest = n;
  for (const p of [2, 3, 5, 7]) while (rest % p === 0) rest /= p;
  return `x: ${linePath(n)}; y, z: ${rest === 1 ? "batched Stockham" : "line by line as x"}`;
}

export async function run(): Promise<void> {
  console.log("| box | kind | forward (ms) | inverse (ms) | max round-trip error |");
  console.log("|---|---|---|---|---|");
  for (const n of [64, 100, 101, 128, 200, 202, 210, 256, 320]) {
    const volume = randomVolume(n);
    const runs = n >= 300 ? 1 : n >= 200 ? 2 : 3;
    const forward = bestOf(runs, () => realFft3d(volume));
    const inverse = bestOf(runs, () => inverseRealFft3d(forward.value));
    let error = 0;
    for (let i = 0; i < volume.data.length; i++) error = Math.max(error, Math.abs(inverse.value[i] - volume.data[i]));
    const kind = lengthKind(n);
    console.log(`| ${n}³ | ${kind} | ${forward.ms.toFixed(0)} | ${inverse.ms.toFixed(0)} | ${error.toExponential(1)} |`);
  }
  console.log("\n| box | full complex 3-D forward (ms) |");
  console.log("|---|---|");
  for (const n of [128, 200]) {
    const data = new Float64Array(2 * n * n * n).fill(0.5);
    const forward = bestOf(2, () => complexFft3d(data, { nx: n, ny: n, nz: n }, "forward"));
    console.log(`| ${n}³ | ${forward.ms.toFixed(0)} |`);
  }
  console.log("");
  for (const n of [100, 256]) {
    const map = randomVolume(n);
    const section = bestOf(n > 128 ? 1 : 3, () => bfactorSection(map, { voxelSize: 1, resolution: 3 }));
    console.log(`0.d B-factor on a ${n}³ map: ${section.ms.toFixed(0)} ms${n === 256 ? " (target 3000)" : ""}`);
  }
}
