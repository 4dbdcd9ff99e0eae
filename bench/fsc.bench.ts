/**
 * 1.a (lib/fsc.ts) on 256³ halves: the bundled simulated EMD-1997 pair and its RELION mask Fourier-upsampled to 256³
 * (0.789 Å/voxel, bench/upsample.ts; the mask clamped back to [0, 1] after the resampling's ringing). Unmasked (FSC,
 * DPR, SSNR) and with the mask (adding the masked and the phase-randomised corrected FSC). Target: 1.a ≤ 2 s; memory
 * ≤ 8× one half map's bytes. Each case runs in its own child process holding only the three grids, so its peak
 * resident-set growth is the call's (an upper bound: it includes garbage not yet collected). Single thread.
 * `npm run bench -- fsc`.
 */
import { readFileSync } from "node:fs";
import { fscAnalysis } from "../lib/fsc.js";
import { readMap } from "../lib/mrc-reader.js";
import { measured, runInChild, withMapFile } from "./child.js";
import { benchMapFromFile, mib, upsample } from "./upsample.js";

const size = 256;
const variables = { half1: "MAPVAL_FSC_BENCH_HALF1", half2: "MAPVAL_FSC_BENCH_HALF2", mask: "MAPVAL_FSC_BENCH_MASK", masked: "MAPVAL_FSC_BENCH_MASKED" };

async function loadPairFile(name: string) {
  const url = new URL(`../data/halfmaps/sim-emd-1997/${name}`, import.meta.url);
  return upsample((await readMap(new Uint8Array(readFileSync(url)))).volume, size);
}

async function child(): Promise<void> {
  const half1 = benchMapFromFile(process.env[variables.half1]!);
  const half2 = benchMapFromFile(process.env[variables.half2]!);
  const mask = process.env[variables.masked] === "1" ? benchMapFromFile(process.env[variables.mask]!) : undefined;
  const { value, ms, cpuMs, peakGrowth } = await measured(() => fscAnalysis(half1, half2, { mask }));
  const { fscResolution, fscMaskedResolution, fscCorrectedResolution, dprResolution, ssnrResolution } = value;
  console.log(JSON.stringify({ ms, cpuMs, peakGrowth, halfBytes: half1.data.byteLength, fscResolution, fscMaskedResolution, fscCorrectedResolution, dprResolution, ssnrResolution }));
}

export async function run(): Promise<void> {
  const [half1, half2, mask] = await Promise.all(["half1.mrc.gz", "half2.mrc.gz", "mask.mrc.gz"].map(loadPairFile));
  for (let i = 0; i < mask.data.length; i++) mask.data[i] = Math.min(1, Math.max(0, mask.data[i]));
  await withMapFile(half1, (path1) =>
    withMapFile(half2, (path2) =>
      withMapFile(mask, (pathMask) => {
        for (const masked of [false, true]) {
          const env = { [variables.half1]: path1, [variables.half2]: path2, [variables.mask]: pathMask, [variables.masked]: masked ? "1" : "0" };
          const r = runInChild(import.meta.url, env);
          const angstrom = (v: number | null) => (v === null ? "none" : `${v.toFixed(2)} Å`);
          const curves = masked
            ? `FSC ${angstrom(r.fscResolution)}, masked ${angstrom(r.fscMaskedResolution)}, corrected ${angstrom(r.fscCorrectedResolution)}`
            : `FSC ${angstrom(r.fscResolution)}`;
          console.log(
            `1.a ${masked ? "with mask (FSC, masked, corrected, DPR, SSNR)" : "unmasked (FSC, DPR, SSNR)"}, ${size}³ halves at 0.789 Å: ` +
              `${(r.ms / 1000).toFixed(2)} s (target 2 s; CPU ${(r.cpuMs / 1000).toFixed(2)} s), peak memory growth ${mib(r.peakGrowth)} = ` +
              `${(r.peakGrowth / r.halfBytes).toFixed(1)}× one half's ${mib(r.halfBytes)} (target 8×); 0.143: ${curves}; ` +
              `DPR ${angstrom(r.dprResolution)}, SSNR ${angstrom(r.ssnrResolution)}`,
          );
        }
      }),
    ),
  );
}

if (process.env[variables.half1]) await child();
