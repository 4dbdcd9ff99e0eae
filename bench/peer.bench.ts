/**
 * mapval side by side with the peer users would script: `mapval report MAP --sections 0.a,0.b,0.c,0.d --vrs-compat
 * --json` against scripts/peer-level0.py (numpy/scipy/mrcfile, VRS's mode) on emd_1997 Fourier-upsampled to 256³
 * (bench/upsample.ts), each as the command a user runs, timed as whole processes one after the other. Target: mapval
 * ≤ 0.5× the script's time with the compiled CLI (`npm run build:package`; the bench builds it). Then where mapval's
 * time goes: start-up (compiled and through tsx), reading and hashing, masks and 0.a–0.c, 0.d.
 * The pair's numbers are compared, so the two time the same work.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { runLevel0 } from "../lib/level0.js";
import type { BFactorResults } from "../lib/section-0d-bfactor.js";
import type { MaskResults } from "../lib/section-0b-mask.js";
import { readMapFile } from "../data-loaders/read-map-file.js";
import { benchMap, benchMrcFile } from "./upsample.js";
import { measured } from "./child.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const threshold = 1.0; // emd_1997's author contour (resampling keeps the density scale)
const resolution = 7;
const runs = 2; // a shared machine: the best of two runs each

/** The 256³ map as an MRC file: emd_1997's header with the new grid, the same 202 Å box. */
function mrcBytes(): Uint8Array {
  return benchMrcFile(benchMap(256));
}

/** Best wall time of `runs` runs of a command, and its stdout. */
function timed(command: string, args: string[]): { seconds: number; stdout: string } {
  let best = Infinity;
  let stdout = "";
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    const r = spawnSync(command, args, { cwd: root, encoding: "utf8", maxBuffer: 64 * 2 ** 20 });
    const seconds = (performance.now() - start) / 1000;
    if (r.status !== 0) throw new Error(`${command} ${args.join(" ")} failed: ${r.stderr}`);
    best = Math.min(best, seconds);
    stdout = r.stdout;
  }
  return { seconds: best, stdout };
}

const s = (x: number) => `${x.toFixed(2)} s`;

export async function run(): Promise<void> {
  const build = spawnSync(process.execPath, [join(root, "scripts", "build-package.mjs")], { cwd: root, encoding: "utf8" });
  if (build.status !== 0) throw new Error(`the package build failed: ${build.stderr}`);
  const dir = mkdtempSync(join(tmpdir(), "mapval-peer-"));
  try {
    const file = join(dir, "emd_1997_256.mrc");
    writeFileSync(file, mrcBytes());
    const reportArgs = ["report", file, "--threshold", String(threshold), "--resolution", String(resolution), "--sections", "0.a,0.b,0.c,0.d"];

    const peer = timed("/usr/bin/python3", [join(root, "scripts", "peer-level0.py"), file, "--threshold", String(threshold), "--resolution", String(resolution)]);
    const compiled = timed(process.execPath, [join(root, "bin", "mapval.js"), ...reportArgs, "--vrs-compat", "--json"]);
    const viaTsx = timed(process.execPath, ["--import", "tsx", join(root, "bench", "peer-cli.ts"), ...reportArgs, "--vrs-compat", "--json"]);
    const defaultMode = timed(process.execPath, [join(root, "bin", "mapval.js"), ...reportArgs, "--json"]);

    const p = JSON.parse(peer.stdout);
    const m = JSON.parse(compiled.stdout);
    const mask = m.sections["0.b"].results as MaskResults;
    const b = m.sections["0.d"].results as BFactorResults;
    const same =
      p.sha256 === m.input.sha256 &&
      (["rawVoxels", "rawComponents", "components95", "constructedVoxels"] as const).every((k) => p["0.b"][k] === mask[k]) &&
      Math.abs(p["0.d"].B - (b.B ?? NaN)) <= 1e-6 * Math.abs(p["0.d"].B);
    console.log(
      `peer 256³, 0.a–0.d: scripts/peer-level0.py ${s(peer.seconds)} (${Object.entries(p.seconds as Record<string, number>).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(", ")})`,
    );
    console.log(
      `peer 256³, 0.a–0.d: mapval compiled ${s(compiled.seconds)} = ${(compiled.seconds / peer.seconds).toFixed(2)}× the script (target 0.5×); ` +
        `through tsx ${s(viaTsx.seconds)} = ${(viaTsx.seconds / peer.seconds).toFixed(2)}×; default mode ${s(defaultMode.seconds)}; ` +
        `numbers ${same ? "agree" : "DIFFER"} (hash, 0.b voxels and components, 0.d B)`,
    );

    // Where mapval's time goes, in this process (tsx-compiled, warm loader).
    const startCompiled = timed(process.execPath, [join(root, "bin", "mapval.js"), "--help"]).seconds;
    const startTsx = timed(process.execPath, ["--import", "tsx", join(root, "bench", "peer-cli.ts"), "--help"]).seconds;
    const read = await measured(() => readMapFile(file));
    const { volume } = read.value.result;
    const masks = await measured(() => runLevel0(volume, { threshold, resolution, mode: "vrs-compat", sections: ["0.a", "0.b", "0.c"] }));
    const all = await measured(() => runLevel0(volume, { threshold, resolution, mode: "vrs-compat", sections: ["0.a", "0.b", "0.c", "0.d"] }));
    console.log(
      `peer 256³, mapval's steps: start-up ${s(startCompiled)} compiled, ${s(startTsx)} through tsx; read and hash ${s(read.ms / 1000)}; ` +
        `masks and 0.a–0.c ${s(masks.ms / 1000)}; 0.d ≈ ${s((all.ms - masks.ms) / 1000)}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
