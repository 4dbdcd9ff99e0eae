/**
 * A real HTTP server on 127.0.0.1 (free port) that serves fixture bytes and misbehaves on request: error statuses,
 * connections reset mid-body, wrong Content-Length, stalls. Each path has a list of replies used in turn; the last
 * one repeats (counting from the `route` call). Unlisted paths answer 404. Requests are counted per path.
 */
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type Reply =
  | { kind: "ok"; body: Uint8Array | string; contentType?: string; headers?: Record<string, string> }
  /** Full Content-Length, then one byte every `intervalMs` (a server too slow to finish in any useful time). */
  | { kind: "trickle"; body: Uint8Array; intervalMs: number }
  | { kind: "status"; status: number }
  /** Full Content-Length, `after` bytes of the body, then a TCP reset. */
  | { kind: "reset"; body: Uint8Array; after: number }
  /** The body with a Content-Length of `declared`, then the connection is closed. */
  | { kind: "wrong-length"; body: Uint8Array; declared: number }
  /** Headers and `after` body bytes, then nothing until the server closes. */
  | { kind: "stall"; body: Uint8Array; after: number };

export interface FaultServer {
  /** Origin without a trailing slash, e.g. http://127.0.0.1:40123 */
  readonly origin: string;
  /** Replace the replies for a path (e.g. "/EMD-3197/map/emd_3197.map.gz"). */
  route(path: string, ...replies: Reply[]): void;
  /** Requests received for a path so far. */
  hits(path: string): number;
  close(): Promise<void>;
}

export async function startFaultServer(): Promise<FaultServer> {
  const routes = new Map<string, Reply[]>();
  const hits = new Map<string, number>();
  const servedSinceRoute = new Map<string, number>();

  const server = createServer((request, response) => {
    const path = new URL(request.url ?? "/", "http://localhost").pathname;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const count = servedSinceRoute.get(path) ?? 0;
    servedSinceRoute.set(path, count + 1);
    const replies = routes.get(path);
    const reply: Reply = replies === undefined ? { kind: "status", status: 404 } : replies[Math.min(count, replies.length - 1)]!;
    respond(reply, response);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    origin: `http://127.0.0.1:${port}`,
    route: (path, ...replies) => {
      routes.set(path, replies);
      servedSinceRoute.set(path, 0);
    },
    hits: (path) => hits.get(path) ?? 0,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

function respond(reply: Reply, response: ServerResponse): void {
  const octets = { "content-type": "application/octet-stream" };
  switch (reply.kind) {
    case "ok": {
      const body = typeof reply.body === "string" ? Buffer.from(reply.body) : reply.body;
      response.writeHead(200, {
        "content-type": reply.contentType ?? octets["content-type"],
        "content-length": body.length,
        ...reply.headers,
      });
      response.end(body);
      return;
    }
    case "trickle": {
      response.writeHead(200, { ...octets, "content-length": reply.body.length });
      let sent = 0;
      const timer = setInterval(() => {
        if (sent === reply.body.length || response.destroyed) {
          clearInterval(timer);
          response.end();
          return;
        }
        response.write(reply.body.subarray(sent, ++sent));
      }, reply.intervalMs);
      response.on("close", () => clearInterval(timer));
      return;
    }
    case "status":
      response.writeHead(reply.status, { "content-type": "text/plain" }).end(`status ${reply.status}`);
      return;
    case "reset":
      response.writeHead(200, { ...octets, "content-length": reply.body.length });
      response.write(reply.body.subarray(0, reply.after), () => response.socket?.resetAndDestroy());
      return;
    case "wrong-length": {
      // Bypass the http module's length bookkeeping: write the raw response on the socket and close it.
      const socket = response.socket!;
      const head = `HTTP/1.1 200 OK\r\ncontent-type: application/octet-stream\r\ncontent-length: ${reply.declared}\r\nconnection: close\r\n\r\n`;
      socket.write(head);
      socket.end(reply.body);
      return;
    }
    case "stall":
      response.writeHead(200, { ...octets, "content-length": reply.body.length });
      if (reply.after > 0) response.write(reply.body.subarray(0, reply.after));
      else response.flushHeaders();
      return;
  }
}
