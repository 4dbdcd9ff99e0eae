/**
 * The browser benches' one set-up: the built site (dist/, `npm run build`) served on 127.0.0.1 and the browser tests'
 * headless Chromium (test/helpers/chromium.ts), closed whatever the bench does; and the memory of the page's renderer.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { serveDirectory } from "../data-loaders/site/static-server.js";
import { launchChromium, type Browser } from "../test/helpers/chromium.js";

const dist = join(dirname(fileURLToPath(import.meta.url)), "..", "dist");

export interface BuiltSite {
  origin: string;
  browser: Browser;
  /** Closes the browser and the server. */
  close(): Promise<void>;
}

/**
 * The site served and a browser started, or null (said on the console) when dist/ lacks `page` (a path under dist/,
 * e.g. "open.html"): `const site = await builtSite(…); if (!site) return; try { … } finally { await site.close(); }`.
 */
export async function builtSite(bench: string, page: string): Promise<BuiltSite | null> {
  if (!existsSync(join(dist, page))) {
    console.log(`${bench}: dist/ has no ${page}; run \`npm run build\` first`);
    return null;
  }
  const server = await serveDirectory(dist);
  try {
    const browser = await launchChromium();
    return { origin: server.origin, browser, close: async () => (await browser.close(), await server.close()) };
  } catch (error) {
    await server.close();
    throw error;
  }
}

/**
 * Resident set of the browser's renderer processes (where a page and its Web Workers live), the largest of them:
 * the processes whose command line holds the browser's profile directory, and their descendants.
 */
export function rendererResidentBytes(browser: Browser): number {
  const all = readdirSync("/proc").filter((name) => /^\d+$/.test(name)).flatMap((name) => {
    try {
      const cmdline = readFileSync(`/proc/${name}/cmdline`, "utf8");
      const ppid = Number(readFileSync(`/proc/${name}/stat`, "utf8").split(") ")[1].split(" ")[1]);
      return [{ pid: Number(name), ppid, cmdline }];
    } catch {
      return []; // ended meanwhile
    }
  });
  const inTree = new Set(all.filter((p) => p.cmdline.includes(browser.profile) && !p.cmdline.includes("--type=")).map((p) => p.pid));
  for (let grown = true; grown; ) {
    grown = false;
    for (const p of all) if (!inTree.has(p.pid) && inTree.has(p.ppid)) (inTree.add(p.pid), (grown = true));
  }
  const renderers = all.filter((p) => inTree.has(p.pid) && p.cmdline.includes("--type=renderer"));
  return Math.max(0, ...renderers.map((p) => residentBytes(p.pid)));
}

function residentBytes(pid: number): number {
  try {
    const line = readFileSync(`/proc/${pid}/status`, "utf8").split("\n").find((l) => l.startsWith("VmRSS:"));
    return line ? Number(line.split(/\s+/)[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}
