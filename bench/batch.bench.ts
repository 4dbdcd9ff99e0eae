/**
 * `mapval batch` cost per entry (docs/batch.md "Cost"): Level 0 of emd_1997 (100³) and of its Fourier upsampling to
 * 256³ and 384³ (bench/upsample.ts), each entry alone (--workers 1), from the entries' report.json (`batch.cpuSeconds`,
 * `batch.peakRssBytes`, `batch.seconds`); then entries per minute at 100³ with two entries at once (--workers 2).
 * MAPVAL_BENCH_BATCH_SIZES=100,256 runs fewer sizes; MAPVAL_BENCH_BATCH_ENTRIES sets the throughput run's entries (8).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runBatch } from "../data-loaders/batch/batch.js";
import { benchMap, loadEmd1997, mib, mrcBytes } from "./upsample.js";

const io = { out: (t: string) => void process.stdout.write(t), err: (t: string) => void process.stderr.write(t) };

function config(dir: string, file: string, ids: string[]): string {
  const path = join(dir, `entries-${ids.length}-${file}.json`);
  const entries = ids.map((id) => ({
    id, emdb: null, title: id, file, resolution: { angstrom: 7, source: "EMD-1997" }, contour: { level: 1, source: "EMD-1997" },
    attribution: "EMDB EMD-1997",
  }));
  writeFileSync(path, JSON.stringify({ version: 1, entries }));
  return path;
}

export async function run(): Promise<void> {
  const sizes = (process.env.MAPVAL_BENCH_BATCH_SIZES ?? "100,256,384").split(",").map(Number);
  const dir = mkdtempSync(join(tmpdir(), "mapval-batch-bench-"));
  try {
    console.log("| box | wall s | CPU s | peak RSS |\n|---|---|---|---|");
    for (const m of sizes) {
      const file = `emd_1997_${m}.map`;
      writeFileSync(join(dir, file), mrcBytes(m === 100 ? loadEmd1997() : benchMap(m)));
      const out = join(dir, `out-${m}`);
      // Limits far above the defaults: the bench measures what the defaults are sized from.
      const limits = ["--entry-timeout", "36000", "--entry-memory", "65536"];
      const code = await runBatch(["--entries", config(dir, file, [`m${m}`]), "--out", out, "--workers", "1", ...limits], io);
      if (code !== 0) throw new Error(`mapval batch exited with ${code}`);
      const report = JSON.parse(readFileSync(join(out, `m${m}`, "report.json"), "utf8"));
      const { seconds, cpuSeconds, peakRssBytes } = report.batch;
      console.log(`| ${m}³ | ${seconds} | ${cpuSeconds} | ${mib(peakRssBytes)} |`);
    }
    const n = Number(process.env.MAPVAL_BENCH_BATCH_ENTRIES ?? 8);
    writeFileSync(join(dir, "emd_1997_100.map"), mrcBytes(loadEmd1997()));
    const ids = Array.from({ length: n }, (_, i) => `e${i}`);
    const started = performance.now();
    await runBatch(["--entries", config(dir, "emd_1997_100.map", ids), "--out", join(dir, "throughput"), "--workers", "2"], io);
    const minutes = (performance.now() - started) / 60000;
    console.log(`100³, 2 workers: ${n} entries in ${(minutes * 60).toFixed(1)} s, ${(n / minutes).toFixed(1)} entries/min`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
