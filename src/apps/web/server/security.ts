// Who may talk to the server. Loopback binds (the default) answer only requests whose
// Host is the loopback address they were sent to, so a web page on another origin cannot
// reach the server through DNS rebinding. Any other bind needs the token printed at
// start: ?token= once (answered with a cookie and a redirect that drops it from the URL),
// then the cookie, or an Authorization: Bearer header. Every response carries a
// Content-Security-Policy that admits nothing outside this server, and nosniff.
// No CORS headers are ever sent: other origins cannot read our answers.

import { timingSafeEqual } from "node:crypto";
import type { MiddlewareHandler } from "hono";

export const COOKIE = "godiag_token";

/**
 * 'wasm-unsafe-eval': Graphviz runs as WebAssembly compiled in the page (no eval of JS).
 * 'unsafe-inline' styles: the viewers colour legend keys with style attributes.
 */
export const CSP =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

export function securityHeaders(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    c.res.headers.set("Content-Security-Policy", CSP);
    c.res.headers.set("X-Content-Type-Options", "nosniff");
    c.res.headers.set("Referrer-Policy", "no-referrer");
    c.res.headers.set("X-Frame-Options", "DENY");
    c.res.headers.set("Cross-Origin-Resource-Policy", "same-origin");
  };
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function cookieToken(header: string | undefined): string | null {
  for (const part of (header ?? "").split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === COOKIE) return v.join("=");
  }
  return null;
}

/** Loopback binds: the Host header must name the loopback address and port the server listens on. */
export function loopbackHostOnly(port: () => number): MiddlewareHandler {
  return async (c, next) => {
    const host = (c.req.header("host") ?? "").toLowerCase();
    const ok = [`127.0.0.1:${port()}`, `localhost:${port()}`, `[::1]:${port()}`].includes(host);
    if (!ok) return c.text("forbidden: unexpected Host header\n", 403);
    await next();
  };
}

/** Non-loopback binds: every request carries the token. */
export function requireToken(token: string): MiddlewareHandler {
  return async (c, next) => {
    const auth = c.req.header("authorization") ?? "";
    if (auth.startsWith("Bearer ") && same(auth.slice(7), token)) return next();
    const cookie = cookieToken(c.req.header("cookie"));
    if (cookie !== null && same(cookie, token)) return next();
    const url = new URL(c.req.url);
    const q = url.searchParams.get("token");
    if (q !== null && same(q, token)) {
      url.searchParams.delete("token");
      c.header("Set-Cookie", `${COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict`);
      return c.redirect(url.pathname + url.search, 302);
    }
    return c.text("unauthorized: this server needs the token it printed at start (?token=, or Authorization: Bearer)\n", 401);
  };
}
