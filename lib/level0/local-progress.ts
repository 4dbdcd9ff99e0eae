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

/** Where a run of the local sections is (`computeLocalSections`): the stage and its phase (lib/local/bands.ts). */
export type LocalProgress = PlanProgress & { stage: LocalStage };

/** What a run is doing, in words (the page's progress panel and the CLI's status line). */
export function localProgressText(progress: LocalProgress): string {
  if (progress.phase === "bands") return `${progress.stage}, band ${progress.fed} of at most ${progress.total}`;
  if (progress.phase === "finishing") return `${progress.stage}, finishing`;
  return `${progress.stage}, preparing the grids (${Math.floor(100 * progress.fraction)} %)`;
}

