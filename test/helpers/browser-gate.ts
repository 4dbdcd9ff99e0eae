/**
 * Whether `npm test` runs the browser tests. Without Chromium a developer's run skips them and says, in one line,
 * what to install; CI (CI=true, set by .ci/run) always runs them, so a missing browser fails there instead of
 * hiding every page regression.
 */
import { existsSync } from "node:fs";

export const DEFAULT_CHROMIUM = "/usr/bin/chromium";

export interface BrowserGate {
  run: boolean;
  /** The one line to print when the browser tests are skipped. */
  notice: string | null;
}

export function browserGate(env: Record<string, string | undefined>, exists: (path: string) => boolean = existsSync): BrowserGate {
  const path = env.MAPVAL_CHROMIUM ?? DEFAULT_CHROMIUM;
  const ci = env.CI !== undefined && env.CI !== "" && env.CI !== "false" && env.CI !== "0";
  if (ci || exists(path)) return { run: true, notice: null };
  return {
    run: false,
    notice: `browser tests skipped: no Chromium at ${path} (install it with apt-get install -y chromium, or set MAPVAL_CHROMIUM)`,
  };
}
