import type { Server } from 'node:http';

/** How long a stopping bridge lets requests in flight finish before it closes their connections. */
export const DRAIN_BOUND_MS = 10_000;

/**
 * Stops the server taking connections and waits for the requests in flight: idle keep-alive
 * connections are closed at once and every connection as soon as its answer went out; after
 * `boundMs` the connections still open are cut. Resolves when the server is closed, saying whether
 * it had to cut any.
 */
export function drainServer(server: Server, boundMs = DRAIN_BOUND_MS): Promise<{ cut: boolean }> {
  return new Promise((resolve) => {
    let cut = false;
    const idle = setInterval(() => server.closeIdleConnections(), 25);
    const bound = setTimeout(() => {
      cut = true;
      server.closeAllConnections();
    }, boundMs);
    server.close(() => {
      clearInterval(idle);
      clearTimeout(bound);
      resolve({ cut });
    });
    server.closeIdleConnections();
  });
}
