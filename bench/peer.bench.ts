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
import { runLevel0 } from "../lib/level0/level0.js";
import type { BFactorResults } from "../lib/level0/section-0d-bfactor.js";
import type { MaskResults } from "../lib/level0/section-0b-mask.js";
import { readMapFile } from "../data-loaders/cli/read-map-file.js";
import { benchMap, mrcBytes } from "./upsample.js";
import { recordStep, summarise, timeCommand, timeStep } from "./steps.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const threshold = 1.0; // emd_1997's author contour (resampling keeps the density scale)
const resolution = 7;
const runs = 3; // a shared machine: the best of three runs each (CPU and wall time)

const s = (x: number) => `${x.toFixed(2)} s`;

export async function run(): Promise<void> {
  const build = spawnSync(process.execPath, [join(root, "scripts", "build-package.mjs")], { cwd: root, encoding: "utf8" });
  if (build.status !== 0) throw new Error(`the package build failed: ${build.stderr}`);
  const dir = mkdtempSync(join(tmpdir(), "mapval-peer-"));
  try {
    const file = join(dir, "emd_1997_256.mrc");
    writeFileSync(file, mrcBytes(benchMap(256)));
    const reportArgs = ["report", file, "--threshold", String(threshold), "--resolution", String(resolution), "--sections", "0.a,0.b,0.c,0.d"];

    const python = "/usr/bin/python3";
    const peerScript = [join(root, "scripts", "peer-level0.py"), file, "--threshold", String(threshold), "--resolution", String(resolution)];
    const cli = join(root, "bin", "mapval.js");
    const viaTsxCli = ["--import", "tsx", join(root, "bench", "peer-cli.ts")];
    const peer = timeCommand("peer 256³: scripts/peer-level0.py", runs, python, peerScript, root);
    const compiled = timeCommand("peer 256³: mapval compiled", runs, process.execPath, [cli, ...reportArgs, "--vrs-compat", "--json"], root);
    const viaTsx = timeCommand("peer 256³: mapval through tsx", runs, process.execPath, [...viaTsxCli, ...reportArgs, "--vrs-compat", "--json"], root);
    const defaultMode = timeCommand("peer 256³: mapval compiled, default mode", runs, process.execPath, [cli, ...reportArgs, "--json"], root);

    const p = JSON.parse(peer.stdout);
    const m = JSON.parse(compiled.stdout);
    const mask = m.sections["0.b"].results as MaskResults;
    const b = m.sections["0.d"].results as BFactorResults;
    const same =
      p.sha256 === m.input.sha256 &&
      (["rawVoxels", "rawComponents", "components95", "constructedVoxels"] as const).every((k) => p["0.b"][k] === mask[k]) &&
      Math.abs(p["0.d"].B - (b.B ?? NaN)) <= 1e-6 * Math.abs(p["0.d"].B);
    const ratio = (key: "wallMs" | "cpuMs", t: { wallMs: number; cpuMs: number }) => (t[key] / peer.timing[key]).toFixed(2);
    console.log(
      `peer 256³, 0.a–0.d: scripts/peer-level0.py ${s(peer.timing.wallMs / 1000)} wall, ${s(peer.timing.cpuMs / 1000)} CPU ` +
        `(last run: ${Object.entries(p.seconds as Record<string, number>).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(", ")})`,
    );
    console.log(
      `peer 256³, 0.a–0.d: mapval compiled ${s(compiled.timing.wallMs / 1000)} wall = ${ratio("wallMs", compiled.timing)}× the script, ` +
        `${s(compiled.timing.cpuMs / 1000)} CPU = ${ratio("cpuMs", compiled.timing)}× (target 0.5×); ` +
        `through tsx ${s(viaTsx.timing.wallMs / 1000)} = ${ratio("wallMs", viaTsx.timing)}×; default mode ${s(defaultMode.timing.wallMs / 1000)}; ` +
        `numbers ${same ? "agree" : "DIFFER"} (hash, 0.b voxels and components, 0.d B)`,
    );

    // Where mapval's time goes, in this process (tsx-compiled, warm loader).
    const startCompiled = timeCommand("mapval start-up, compiled (--help)", runs, process.execPath, [cli, "--help"], root).timing;
    const startTsx = timeCommand("mapval start-up, through tsx (--help)", runs, process.execPath, [...viaTsxCli, "--help"], root).timing;
    const read = await timeStep("256³ read and hash", runs, () => file, readMapFile);
    const options = { threshold, resolution, mode: "vrs-compat" as const };
    // Each run gets the map as the CLI has it, newly read: the kernel caches per map what does not depend on the threshold.
    const fresh = async () => (await readMapFile(file)).result.volume;
    const masks = await timeStep("256³ masks and 0.a–0.c", runs, fresh, (v) => runLevel0(v, { ...options, sections: ["0.a", "0.b", "0.c"] }));
    const all = await timeStep("256³ masks and 0.a–0.d", runs, fresh, (v) => runLevel0(v, { ...options, sections: ["0.a", "0.b", "0.c", "0.d"] }));
    const spectral = recordStep("256³ 0.d (difference of the two)", {
      ...summarise([{ wallMs: all.timing.wallMs - masks.timing.wallMs, cpuMs: all.timing.cpuMs - masks.timing.cpuMs }]),
      runs,
    });
    console.log(
      `peer 256³, mapval's steps (wall): start-up ${s(startCompiled.wallMs / 1000)} compiled, ${s(startTsx.wallMs / 1000)} through tsx; ` +
        `read and hash ${s(read.timing.wallMs / 1000)}; masks and 0.a–0.c ${s(masks.timing.wallMs / 1000)}; 0.d ≈ ${s(spectral.wallMs / 1000)}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
