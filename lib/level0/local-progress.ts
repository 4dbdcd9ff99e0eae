/**
 * The progress of a 0.e–0.g run (lib/level0/local-sections.ts `computeLocalSections`), apart from the kernel that
 * computes them, so that a page can show it without loading that kernel.
 */
import type { PlanProgress } from "../local/bands.js";

/**
 * The two stages of a run: 0.e's resolution sweep, then 0.f and 0.g's spiral bands together; with half maps the page
 * worker's run goes on with Level 1's sections on request, one stage each (announced as they start).
 */
export type LocalStage = "0.e" | "0.f–0.g" | "1.b" | "1.c" | "1.e" | "1.g" | "1.h";

/**
 * Where a run of the local sections is (`computeLocalSections`): the stage and its phase (lib/local/bands.ts);
 * `withLevel1`: the run goes on with Level 1's stages after 0.e–0.g (the page worker's, given half maps).
 */
export type LocalProgress = PlanProgress & { stage: LocalStage; withLevel1?: boolean };

type Level1Stage = Exclude<LocalStage, "0.e" | "0.f–0.g">;

/**
 * Level 1's stages in the order the page worker computes them (1.e first, on the band workers; then the others in
 * registry order) and the seconds each takes at 256³ against 0.e–0.g's LEVEL0_SECONDS (their ratios are what count):
 * 0.e–0.g 38 s in Chromium on two workers (0.e 34 s, 0.f–0.g 4 s: bench/local-browser.bench.ts); 1.e, MonoRes on the
 * halves, 68 s of CPU on one thread and so about 34 s on the two band workers, then in the page worker 1.b 22 s, 1.c
 * 9 s and 1.g 8 s (bench/level1.bench.ts, docs/reference/level1.md); 1.h takes 1.g's directional FSCs, about nothing.
 */
const LEVEL1_SECONDS: Record<Level1Stage, number> = { "1.e": 34, "1.b": 22, "1.c": 9, "1.g": 8, "1.h": 0 };
const LEVEL0_SECONDS = 38;
const LEVEL1_STAGES = Object.keys(LEVEL1_SECONDS) as Level1Stage[];
const RUN_SECONDS = LEVEL0_SECONDS + LEVEL1_STAGES.reduce((sum, s) => sum + LEVEL1_SECONDS[s], 0);

/**
 * The fraction of a whole run done at `progress`, given the fraction of 0.e–0.g done (`level0Fraction`, 1 once they
 * are): that fraction itself without Level 1; with it, 0.e–0.g and each Level 1 stage count by their seconds, and a
 * Level 1 stage (announced as it starts, with no progress within) counts as just begun.
 */
export function localRunFraction(progress: LocalProgress, level0Fraction: number): number {
  if (!progress.withLevel1) return level0Fraction;
  const at = LEVEL1_STAGES.indexOf(progress.stage as Level1Stage);
  if (at < 0) return (level0Fraction * LEVEL0_SECONDS) / RUN_SECONDS;
  return (LEVEL0_SECONDS + LEVEL1_STAGES.slice(0, at).reduce((sum, s) => sum + LEVEL1_SECONDS[s], 0)) / RUN_SECONDS;
}

/** What a run is doing, in words (the page's progress panel and the CLI's status line). */
export function localProgressText(progress: LocalProgress): string {
  if (progress.phase === "bands") return `${progress.stage}, band ${progress.fed} of at most ${progress.total}`;
  if (progress.phase === "finishing") return `${progress.stage}, finishing`;
  return `${progress.stage}, preparing the grids (${Math.floor(100 * progress.fraction)} %)`;
}

