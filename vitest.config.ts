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
          // Chromium start-up plus page loads that bundle-parse the kernel; the build itself runs in globalSetup.
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
