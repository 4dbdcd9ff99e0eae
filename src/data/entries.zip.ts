// The site's data for every configured entry (mapval.entries.json), one directory per entry plus index.json. Each
// entry is computed in its own process (data-loaders/site-entry.ts), two at a time: the slow sections (0.e) then use
// both cores, and one entry's memory is freed before the next.
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import JSZip from "jszip";
import { listEntries } from "../../data-loaders/resolve-entry.js";

const childScript = join(import.meta.dirname, "..", "..", "data-loaders", "site-entry.ts");
const workDir = mkdtempSync(join(tmpdir(), "mapval-site-"));
const ids = listEntries().map((entry) => entry.id);

function computeEntry(id: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", childScript, `--id=${id}`, `--out=${join(workDir, id)}`], {
      stdio: ["ignore", "inherit", "inherit"],
    });
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`${id}: entry loader exited with ${code}`))));
  });
}

try {
  const queue = [...ids];
  await Promise.all(
    [0, 1].map(async () => {
      for (let id = queue.shift(); id !== undefined; id = queue.shift()) await computeEntry(id);
    }),
  );
  const zip = new JSZip();
  const index = [];
  for (const id of ids) {
    const dir = join(workDir, id);
    for (const name of readdirSync(dir)) {
      if (name === "index-row.json") index.push(JSON.parse(readFileSync(join(dir, name), "utf8")));
      else zip.file(`${id}/${name}`, readFileSync(join(dir, name)));
    }
  }
  zip.file("index.json", JSON.stringify(index));
  process.stdout.write(await zip.generateAsync({ type: "nodebuffer", compression: "DEFLATE", compressionOptions: { level: 3 } }));
} finally {
  rmSync(workDir, { recursive: true, force: true });
}
