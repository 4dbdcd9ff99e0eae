#!/usr/bin/env node
/**
 * `npm run mutants`: a mutation check of the rules that decide verdicts and the numbers they compare. Each mutant is
 * a one-line change (a limit moved, a comparison made non-strict, an axis swapped); the script applies it, runs the
 * unit tests that cover the rule, restores the file and reports whether a test failed ("killed") or not
 * ("survived"). A surviving mutant is a rule no test pins. Outside CI (about a minute per mutant); add a mutant with
 * each new rule. `npm run mutants -- word…` runs only the mutants whose file or text contains a word.
 * Exit code 1 when a mutant survives or no longer applies (its line changed: update the list).
 */
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

const verdictTests = ["test/verdict-limits.test.ts", "test/section-0a.test.ts", "test/section-0b.test.ts",
  "test/section-0c.test.ts", "test/sweep.test.ts", "test/level0.test.ts", "test/level0-fixtures.test.ts"];
const localTests = ["test/section-0f.test.ts", "test/section-0g.test.ts", "test/section-0f-fixtures.test.ts"];
const resolutionTests = ["test/section-0e.test.ts", "test/monores.test.ts"];
const readerTests = ["test/reader.test.ts", "test/reader-axis-order.test.ts"];

/** [file, text to replace (exactly once in the file), replacement, tests]. */
const mutants = [
  ["lib/level0/criteria.ts", "maxDecenteringPercent: 20,", "maxDecenteringPercent: 25,", verdictTests],
  ["lib/level0/section-0a-mass.ts", "decentering[a] > p.maxDecenteringPercent", "decentering[a] >= p.maxDecenteringPercent", verdictTests],
  ["lib/level0/criteria.ts", "minSpaceAngstrom: 20,", "minSpaceAngstrom: 25,", verdictTests],
  ["lib/level0/section-0a-mass.ts", "spaceLeft[a] < p.minSpaceAngstrom", "spaceLeft[a] <= p.minSpaceAngstrom", verdictTests],
  ["lib/level0/criteria.ts", "maxCenterOfMassOffsetPercent: 20,", "maxCenterOfMassOffsetPercent: 25,", verdictTests],
  ["lib/level0/criteria.ts", "massFraction: 0.95,", "massFraction: 0.9,", verdictTests],
  ["lib/level0/criteria.ts", "maxComponentsForMass: 5,", "maxComponentsForMass: 6,", verdictTests],
  ["lib/level0/section-0b-mask.ts", "r.components95 > p.maxComponentsForMass", "r.components95 >= p.maxComponentsForMass", verdictTests],
  ["lib/level0/criteria.ts", "maxAverageBlobVolume: 5,", "maxAverageBlobVolume: 6,", verdictTests],
  ["lib/level0/criteria.ts", "minOverlap: 0.75,", "minOverlap: 0.74,", verdictTests],
  ["lib/level0/section-0b-mask.ts", "r.overlap < p.minOverlap", "r.overlap <= p.minOverlap", verdictTests],
  ["lib/level0/section-0b-mask.ts", "const components95 = i - 1;", "const components95 = i;", verdictTests],
  ["lib/level0/sweep.ts", "backgroundVoxels >= largestSizes[count - 1] ? count : count - 1", "count", verdictTests],
  ["lib/level0/sweep.ts", "coverage: p.massFraction,", "coverage: 0.95,", verdictTests],
  ["lib/level0/criteria.ts", "maxBackgroundP: 0.001,", "maxBackgroundP: 0.01,", verdictTests],
  ["lib/level0/section-0c-background.ts", "r.p < p.maxBackgroundP", "r.p <= p.maxBackgroundP", verdictTests],
  ["lib/level0/criteria.ts", "outlierSigmas: 5,", "outlierSigmas: 4,", verdictTests],
  ["lib/level0/criteria.ts", "maxOutlierRatio: 20,", "maxOutlierRatio: 25,", verdictTests],
  ["lib/level0/section-0c-background.ts", "r.outlierRatio > p.maxOutlierRatio", "r.outlierRatio >= p.maxOutlierRatio", verdictTests],
  ["lib/level0/level0.ts", "const squaredDeviations = difference > rounding ? difference : 0;", "const squaredDeviations = Math.max(0, difference);", verdictTests],
  ["lib/level0/section-0f-locbfactor.ts", "export const LOCAL_BFACTOR_RANGE: readonly [number, number] = [-300, 0];", "export const LOCAL_BFACTOR_RANGE: readonly [number, number] = [-250, 0];", localTests],
  ["lib/level0/section-0g-lococcupancy.ts", "export const OCCUPANCY_MEDIAN_MIN = 0.5;", "export const OCCUPANCY_MEDIAN_MIN = 0.6;", localTests],
  ["lib/level0/section-0e-local-resolution.ts", "if (isTooHomogeneous(statistics.percentiles, 0.01))", "if (isTooHomogeneous(statistics.percentiles, 0.1))", resolutionTests],
  ["lib/level0/section-0e-local-resolution.ts", "if (resolutionPercentile < 0.1) {", "if (resolutionPercentile < 0.01) {", resolutionTests],
  ["lib/level0/section-0e-local-resolution.ts", "export const MIN_PERCENTILE_VOXELS = 50;", "export const MIN_PERCENTILE_VOXELS = 3;", resolutionTests],
  ["lib/level0/section-0e-local-resolution.ts", 'const spacing: SweepSpacing = mode === "vrs-compat" ? "bins" : "fine";', 'const spacing: SweepSpacing = "bins";', resolutionTests],
  ["lib/io/mrc-reader.ts", "const strideR = stride[header.mapr - 1];", "const strideR = stride[header.maps - 1];", readerTests],
  ["lib/io/mrc-reader.ts", "shape[header.mapr - 1] = header.nr;", "shape[header.mapc - 1] = header.nr;", readerTests],
];

const only = process.argv.slice(2);
let bad = 0;
/** The file under mutation and its text, put back if the run is interrupted. */
let pending = null;
process.on("SIGINT", () => {
  if (pending) writeFileSync(pending.path, pending.original);
  process.exit(130);
});
for (const [file, from, to, tests] of mutants) {
  const label = `${file}: ${from} → ${to}`;
  if (only.length > 0 && !only.some((word) => label.includes(word))) continue;
  const path = join(root, file);
  const original = readFileSync(path, "utf8");
  if (original.split(from).length !== 2) {
    console.log(`not applied (the line is not in the file exactly once): ${label}`);
    bad++;
    continue;
  }
  pending = { path, original };
  writeFileSync(path, original.replace(from, to));
  try {
    const run = spawnSync("npx", ["vitest", "run", "--project", "unit", ...tests], { cwd: root, encoding: "utf8" });
    const killed = run.status !== 0;
    if (!killed) bad++;
    console.log(`${killed ? "killed  " : "SURVIVED"} ${label}`);
  } finally {
    writeFileSync(path, original);
    pending = null;
  }
}
process.exit(bad > 0 ? 1 : 0);
