import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serveDirectory, type StaticServer } from "../data-loaders/site/static-server.js";

/** A raw GET with the path exactly as given (fetch would normalise it). */
function get(origin: string, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${origin}/`, { path, method: "GET" }, (response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk) => (body += chunk));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("static server (npm run serve and the browser tests)", () => {
  let root: string;
  let server: StaticServer;
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), "mapval-serve-"));
    writeFileSync(join(root, "index.html"), "<p>index</p>");
    mkdirSync(join(root, "entries"));
    writeFileSync(join(root, "entries", "a b.html"), "<p>a b</p>");
    server = await serveDirectory(root);
  });
  afterAll(async () => {
    await server.close();
    rmSync(root, { recursive: true, force: true });
  });

  it("answers 400 to a malformed percent-escape and keeps serving", async () => {
    for (const path of ["/%", "/%E0%A4%A", "/entries/%zz"]) {
      const bad = await get(server.origin, path);
      expect(bad.status).toBe(400);
      expect(bad.body).toMatch(/percent-encoding/);
    }
    expect(await get(server.origin, "/")).toEqual({ status: 200, body: "<p>index</p>" });
    expect(await get(server.origin, "/entries/a%20b")).toEqual({ status: 200, body: "<p>a b</p>" });
  });

  it("does not serve outside its root, even through encoded dots", async () => {
    expect((await get(server.origin, "/%2e%2e/%2e%2e/etc/passwd")).status).toBe(404);
    expect((await get(server.origin, "/missing")).status).toBe(404);
  });
});
