/**
 * Headless Debian Chromium for the browser tests, with a fresh profile each time and without the background traffic
 * (component updates, sync, QUIC probing) that would show up as requests leaving 127.0.0.1.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { DEFAULT_CHROMIUM } from "./browser-gate.js";
import { serveBuiltSite, type StaticServer } from "./static-server.js";

export const CHROMIUM_PATH = process.env.MAPVAL_CHROMIUM ?? DEFAULT_CHROMIUM;

export interface Browser {
  readonly context: BrowserContext;
  /** The fresh profile directory (on the command line of the browser's processes). */
  readonly profile: string;
  close(): Promise<void>;
}

export async function launchChromium(): Promise<Browser> {
  // Reached without a browser only in CI (test/helpers/browser-gate.ts leaves the browser tests out elsewhere): there
  // it is a failure, not a skip, since a skipped browser test would hide every page regression.
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
    profile,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Everything that would show a page to be broken or not self-contained, collected while it is open. */
export interface PageTrouble {
  consoleErrors: string[];
  pageErrors: string[];
  /** Requests to anywhere but the site's own origin (data: URLs excepted). */
  foreignRequests: string[];
  /** 4xx/5xx responses and requests that failed outright. */
  failedRequests: string[];
}

export const NO_TROUBLE: PageTrouble = { consoleErrors: [], pageErrors: [], foreignRequests: [], failedRequests: [] };

/** Opens `origin + path` in a new tab, recording its trouble from the very first request. */
export async function openWatchedPage(
  browser: Browser,
  origin: string,
  path: string,
): Promise<{ page: Page; trouble: PageTrouble }> {
  const page = await browser.context.newPage();
  const trouble = structuredClone(NO_TROUBLE);
  page.on("console", (message) => {
    if (message.type() === "error") trouble.consoleErrors.push(message.text());
  });
  page.on("pageerror", (error) => trouble.pageErrors.push(error.message));
  page.on("request", (request) => {
    const url = request.url();
    if (!url.startsWith(`${origin}/`) && !url.startsWith("data:")) trouble.foreignRequests.push(url);
  });
  page.on("response", (response) => {
    if (response.status() >= 400) trouble.failedRequests.push(`${response.status()} ${response.url()}`);
  });
  page.on("requestfailed", (request) => trouble.failedRequests.push(`failed ${request.url()}`));
  await page.goto(`${origin}${path}`);
  return { page, trouble };
}

export interface SiteSession {
  /** The built site served on 127.0.0.1 and a browser, started on first use and shared by a file's tests. */
  start(): Promise<{ origin: string; browser: Browser }>;
  close(): Promise<void>;
}

/**
 * Started from inside each test rather than in beforeAll: a failing hook only marks the tests skipped, which the CI
 * summary would count as neither passed nor failed. Here a missing Chromium or a failed build fails every test.
 */
export function siteSession(projectRoot: string): SiteSession {
  let started: Promise<{ server: StaticServer; browser: Browser }> | undefined;
  return {
    async start() {
      started ??= (async () => {
        const server = await serveBuiltSite(projectRoot);
        try {
          return { server, browser: await launchChromium() };
        } catch (error) {
          await server.close();
          throw error;
        }
      })();
      const { server, browser } = await started;
      return { origin: server.origin, browser };
    },
    async close() {
      const running = await started?.catch(() => undefined);
      await running?.browser.close();
      await running?.server.close();
    },
  };
}
