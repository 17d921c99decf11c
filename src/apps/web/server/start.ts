// Start the server: bind (127.0.0.1 and a free port unless --listen says otherwise),
// print the URL, optionally open a browser. Non-loopback binds get a random token,
// printed once inside the URL.

import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import { hostname, networkInterfaces } from "node:os";
import { serve } from "@hono/node-server";
import { createApp } from "./app.js";
import { loopbackHostOnly, requireToken, securityHeaders } from "./security.js";
import type { ViewWorker } from "./worker.js";

export interface StartOptions {
  host: string;
  port: number;
  open: boolean;
  print: (line: string) => void;
}

export function isLoopback(host: string): boolean {
  return host === "127.0.0.1" || host === "::1" || host === "localhost" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export interface Started {
  url: string;
  close(): Promise<void>;
}

export function startServer(views: ViewWorker, o: StartOptions): Promise<Started> {
  const loopback = isLoopback(o.host);
  const token = loopback ? null : randomBytes(24).toString("base64url");
  let port = o.port;
  const { app, warm } = createApp({
    views,
    securityHeaders: securityHeaders(),
    guards: token === null ? [loopbackHostOnly(() => port)] : [requireToken(token)],
  });
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port: o.port, hostname: o.host }, (info: AddressInfo) => {
      port = info.port;
      const host = info.family === "IPv6" ? `[${info.address}]` : info.address;
      const shown = host === "0.0.0.0" || host === "[::]" ? externalAddress() : host;
      const url = `http://${loopback ? host : shown}:${port}/` + (token !== null ? `?token=${token}` : "");
      const local = loopback ? `http://${host}:${port}` : `http://127.0.0.1:${port}`;
      const headers: Record<string, string> = token !== null ? { Authorization: `Bearer ${token}` } : { Host: `${host}:${port}` };
      void warm(local, headers)
        .catch(() => {})
        .then(() => {
          o.print(`godiag serve: ${url}\n`);
          if (token !== null) o.print(`godiag serve: listening on ${host}:${port}; every request needs the token above (printed only once)\n`);
          if (o.open) openBrowser(url);
          resolve({ url, close: () => new Promise<void>((r) => server.close(() => r())).then(() => views.close()) });
        });
    });
    server.once("error", (e: NodeJS.ErrnoException) => reject(e));
  });
}

/** An address other machines may reach this one by, for the printed URL of a wildcard bind. */
function externalAddress(): string {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === "IPv4" && !a.internal) return a.address;
  }
  return hostname();
}

/** The desktop's opener; a missing one is not an error (the URL is printed). */
function openBrowser(url: string): void {
  const cmd = process.platform === "darwin" ? "open" : process.platform === "win32" ? "explorer" : "xdg-open";
  try {
    const child = spawn(cmd, [url], { stdio: "ignore", detached: true });
    child.on("error", () => {});
    child.unref();
  } catch {
    // nothing to open with
  }
}
