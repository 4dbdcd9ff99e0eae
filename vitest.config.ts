import { defineConfig } from "vitest/config";
import { browserGate } from "./test/helpers/browser-gate.js";

// Without Chromium, a developer's run leaves the browser project out and says so in one line; CI always runs it.
const browser = browserGate(process.env);
// Vitest reads this file once more for the projects that extend it: the line is printed once.
const shown = globalThis as { mapvalBrowserNotice?: boolean };
if (browser.notice && !shown.mapvalBrowserNotice) console.warn(browser.notice);
shown.mapvalBrowserNotice = true;

// Two projects so that only a run that selects a browser test pays for the site build (test/global-setup.ts).
export default defineConfig({
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["test/**/*.test.ts"],
          exclude: ["test/browser/**"],
        },
      },
      ...(browser.run ? [{
        extends: true as const,
        test: {
          name: "browser",
          include: ["test/browser/**/*.test.ts"],
          globalSetup: ["test/global-setup.ts"],
          // Chromium start-up and page loads; the site build runs before, in globalSetup, outside any test timeout.
          testTimeout: 60_000,
        },
      }] : []),
    ],
  },
});
