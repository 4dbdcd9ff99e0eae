/**
 * Headless Debian Chromium for the browser tests, with a fresh profile each time and without the background traffic
 * (component updates, sync, QUIC probing) that would show up as requests leaving 127.0.0.1.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext } from "playwright-core";

export const CHROMIUM_PATH = process.env.MAPVAL_CHROMIUM ?? "/usr/bin/chromium";

export interface Browser {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

export async function launchChromium(): Promise<Browser> {
  // A missing browser is a failure, not a skip: CI installs it (apt-get install chromium), and a skipped browser test
  // would hide every page regression.
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}. Install it (apt-get install -y chromium) or set MAPVAL_CHROMIUM.`,
    );
  }
  const profile = mkdtempSync(join(tmpdir(), "mapval-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    viewport: { width: 1000, height: 900 },
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
