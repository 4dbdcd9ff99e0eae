/** `npm run serve`: serves the built site in dist/ on http://127.0.0.1:3000 (PORT overrides). */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { serveDirectory } from "./static-server.js";

const dist = join(process.cwd(), "dist");
if (!existsSync(join(dist, "index.html"))) {
  console.error("mapval: dist/ has no built site; run `npm run build` first");
  process.exit(2);
}
const server = await serveDirectory(dist, Number(process.env.PORT ?? 3000));
console.log(`mapval report site: ${server.origin}/  (Ctrl-C to stop)`);
