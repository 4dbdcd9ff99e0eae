/**
 * Code comments and docs point into the repository: a clone must be able to follow every reference (no folder outside
 * it, such as a shared reference directory beside the checkout), and every docs/reference note they name must exist.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const TEXT = /\.(ts|js|mjs|py|md|json|xml|sh)$/;

function textFiles(folder: string): string[] {
  return readdirSync(join(root, folder), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && TEXT.test(entry.name))
    .map((entry) => relative(root, join(entry.parentPath, entry.name)));
}
const files = ["lib", "data-loaders", "scripts", "test", "docs", "src/components", "src/workers", "bench"]
  .flatMap(textFiles)
  .concat(["README.md", ".ci/run"].filter((f) => existsSync(join(root, f))));

it("no file points to a reference folder outside the repository", () => {
  const outside = files.filter((f) => f !== "test/docs-references.test.ts" && /shared\/reference|\/work\//.test(readFileSync(join(root, f), "utf8")));
  expect(outside).toEqual([]);
});

it("every docs/reference note that is named exists", () => {
  const named = new Set(files.flatMap((f) => [...readFileSync(join(root, f), "utf8").matchAll(/docs\/reference\/([\w-]+\.md)/g)].map((m) => m[1])));
  expect(named.size).toBeGreaterThan(0);
  for (const note of named) expect(existsSync(join(root, "docs", "reference", note)), note).toBe(true);
});

it("every repository file a comment or doc names by its path exists", () => {
  const pathPattern = /(?<![\w.\-/])((?:lib|data-loaders|scripts|bench|docs|test|src\/components|src\/workers)\/[\w\-./[\]]+\.(?:ts|js|mjs|md|py))\b/g;
  const missing = files.flatMap((f) =>
    [...readFileSync(join(root, f), "utf8").matchAll(pathPattern)]
      .map((m) => m[1])
      .filter((path) => !existsSync(join(root, path)) && !existsSync(join(root, path.replace(/\.js$/, ".ts"))))
      .map((path) => `${f}: ${path}`),
  );
  expect(missing).toEqual([]);
});
