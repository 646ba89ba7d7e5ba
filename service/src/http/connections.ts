import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** What the service knows about one open connection. */
export interface ConnectionState {
  /** Requests in flight on it (more than one when a client pipelines). */
  busy: number;
  /** Whether it has answered a request yet. */
  served: boolean;
  /** When it was accepted (Date.now()). */
  since: number;
  /** When its last response closed (Date.now()); `since` until then. */
  idleSince: number;
}

/** What the connection limit did, for a throttled log line. */
export interface ShedCounts {
  /** Idle connections closed to make room for a new one. */
  idleClosed: number;
  /** New connections refused because every open one had a request in flight. */
  refused: number;
}

/**
 * Tracks every connection of `server`, in order of last activity, and holds
 * them to `maxConnections`.
 *
 * Node's own `server.maxConnections` refuses the newest connection at the
 * limit, so a client that opens thousands of idle sockets shuts every real
 * client out until its sockets time out. Here the newcomer instead replaces
 * the idle connection (no request in flight: never used, between keep-alive
 * requests, or still sending its headers) that was active least recently;
 * only when every connection has a request in flight is the newcomer refused.
 * The limit itself must stay under the process's open-file limit (config.ts):
 * past it the kernel's accept fails and every client is refused.
 *
 * Returns the live map (shutdown closes its connections one by one) and
 * calls `onShed` whenever the limit closed or refused a connection.
 */
export function trackConnections(
  server: Server,
  maxConnections: number,
  onShed: (counts: ShedCounts) => void,
): Map<Socket, ConnectionState> {
  // A Map keeps insertion order: re-inserting a connection when its response
  // closes keeps the least recently active first, so finding the one to
  // close skips at most the connections that have requests in flight.
  const open = new Map<Socket, ConnectionState>();
  const close = (socket: Socket) => {
    open.delete(socket);
    socket.destroy();
  };

  server.on('connection', (socket: Socket) => {
    const now = Date.now();
    open.set(socket, { busy: 0, served: false, since: now, idleSince: now });
    socket.once('close', () => open.delete(socket));
    if (open.size <= maxConnections) return;
    for (const [other, state] of open) {
      if (other === socket) break; // the newcomer is last: every other one is busy
      if (state.busy > 0) continue;
      close(other);
      onShed({ idleClosed: 1, refused: 0 });
      return;
    }
    close(socket);
    onShed({ idleClosed: 0, refused: 1 });
  });

  // Before the app's own listener, so the state is right whatever the app does synchronously.
  server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
    const socket = req.socket;
    const state = open.get(socket);
    if (!state) return;
    state.busy++;
    res.once('close', () => {
      state.busy--;
      state.served = true;
      state.idleSince = Date.now();
      if (open.delete(socket)) open.set(socket, state);
    });
  });
  return open;
}
