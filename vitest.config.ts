import { defineConfig } from "vitest/config";

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
      {
        extends: true,
        test: {
          name: "browser",
          include: ["test/browser/**/*.test.ts"],
          globalSetup: ["test/global-setup.ts"],
          // Chromium start-up and page loads; the site build runs before, in globalSetup, outside any test timeout.
          testTimeout: 60_000,
        },
      },
    ],
  },
});
