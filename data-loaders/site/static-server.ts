/**
 * Serves a built site (dist/) on 127.0.0.1 the way a static host would: Framework links pages without their
 * extension (`/kernel-check` for `kernel-check.html`), so extensionless paths fall back to `.html`.
 * Used by `npm run serve` and by the browser tests. Port 0 picks a free port.
 */
import { readFile, stat } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize, sep } from "node:path";

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".arrow": "application/vnd.apache.arrow.stream",
};

export interface StaticServer {
  /** Origin without a trailing slash, e.g. http://127.0.0.1:40123 */
  readonly origin: string;
  close(): Promise<void>;
}

async function isFile(path: string): Promise<boolean> {
  return (await stat(path).catch(() => null))?.isFile() ?? false;
}

/** The file a URL path names, or null when there is none or the path would leave `root`. */
async function resolveFile(root: string, urlPath: string): Promise<string | null> {
  const relativePath = normalize(urlPath);
  const path = join(root, relativePath);
  if (path !== root && !path.startsWith(root + sep)) return null;
  const candidates = relativePath.endsWith(sep) ? [join(path, "index.html")] : [path, `${path}.html`];
  for (const candidate of candidates) if (await isFile(candidate)) return candidate;
  return null;
}

export async function serveDirectory(root: string, port = 0): Promise<StaticServer> {
  const server: Server = createServer(async (request, response) => {
    let urlPath: string;
    try {
      urlPath = decodeURIComponent(new URL(request.url ?? "/", "http://localhost").pathname);
    } catch {
      // A malformed percent-escape (e.g. `GET /%`) is the client's error; the server keeps serving.
      response.writeHead(400, { "content-type": "text/plain" }).end("bad request: malformed percent-encoding in the path");
      return;
    }
    try {
      const file = await resolveFile(root, urlPath);
      if (file === null) {
        response.writeHead(404, { "content-type": "text/plain" }).end("not found");
        return;
      }
      const type = CONTENT_TYPES[extname(file)] ?? "application/octet-stream";
      response.writeHead(200, { "content-type": type }).end(await readFile(file));
    } catch {
      // e.g. the file vanished between stat and read: one failed request, not a dead server.
      if (!response.headersSent) response.writeHead(500, { "content-type": "text/plain" });
      response.end("internal error");
    }
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const address = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${address.port}`,
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

