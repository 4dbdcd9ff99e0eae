/**
 * `npm run bench`: runs every bench/*.bench.ts (each exports `run(): Promise<void>` and prints its own figures).
 * Pass names to run a subset: `npm run bench -- level0`. The steps the benches time with bench/steps.ts are then
 * compared with bench/baseline.json (CPU time, flagged when slower by more than the runs' noise);
 * `npm run bench -- --save-baseline [names]` writes the steps just measured there instead, with the machine's load.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { baselineOf, compareSteps, comparisonTable, recordedSteps, type Baseline } from "./steps.js";

const here = dirname(fileURLToPath(import.meta.url));
const baselineFile = join(here, "baseline.json");
const args = process.argv.slice(2);
const saveBaseline = args.includes("--save-baseline");
const wanted = args.filter((a) => a !== "--save-baseline");
const files = readdirSync(here)
  .filter((f) => f.endsWith(".bench.ts"))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.startsWith(w)))
  .sort();
if (files.length === 0) {
  console.error(`no benchmark matches ${wanted.join(", ") || "bench/*.bench.ts"}`);
  process.exit(2);
}
for (const f of files) {
  console.log(`\n## ${f.replace(/\.bench\.ts$/, "")}`);
  const mod = (await import(pathToFileURL(join(here, f)).href)) as { run: () => Promise<void> };
  await mod.run();
}

const steps = recordedSteps();
if (steps.size > 0) {
  console.log("\n## steps");
  if (saveBaseline) {
    const commit = spawnSync("git", ["rev-parse", "--short", "HEAD"], { cwd: here, encoding: "utf8" }).stdout.trim() || "unknown";
    writeFileSync(baselineFile, JSON.stringify(baselineOf(steps, commit), null, 2) + "\n");
    console.log(`${steps.size} steps saved to bench/baseline.json`);
  }
  const baseline = existsSync(baselineFile) ? (JSON.parse(readFileSync(baselineFile, "utf8")) as Baseline) : null;
  const rows = compareSteps(steps, baseline);
  console.log(comparisonTable(rows, baseline));
  const slower = rows.filter((r) => r.slower);
  if (slower.length > 0) console.log(`\n${slower.length} step(s) slower than the baseline: ${slower.map((r) => r.name).join(", ")}`);
}
