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

/**
 * Most requests of one connection in flight before the service stops reading
 * it (what was already read, at most 64 KiB, is still parsed): HTTP/1.1
 * pipelining gains nothing past a few, and each costs memory until answered.
 */
export const MAX_PIPELINED = 64;

/** The parts of an HTTP server's socket that Node's own read throttling uses. */
type HttpSocket = Socket & { _paused?: boolean; parser?: { pause(): void; resume(): void } | null };

/**
 * Stops reading a connection as Node's http server does when its answers back
 * up: `_paused` makes Node pause the parser too once it has executed the
 * chunk at hand (the server reads the socket's handle directly, so
 * socket.pause() alone stops only the next reads), and Node resumes it on
 * 'drain' only if nothing else holds it paused.
 */
function pauseReading(socket: HttpSocket): void {
  if (socket._paused) return;
  socket._paused = true;
  socket.pause();
}

/** Reads the connection again, as Node does on 'drain' (socketOnDrain). */
function resumeReading(socket: HttpSocket): void {
  if (!socket._paused || socket.destroyed || socket.writableNeedDrain) return;
  socket._paused = false;
  socket.parser?.resume();
  socket.resume();
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
    // Node stops reading a connection only once its answers back up; ours come later
    // than the requests, so a client pipelining thousands would have them all in flight.
    if (state.busy >= MAX_PIPELINED) pauseReading(socket);
    res.once('close', () => {
      state.busy--;
      if (state.busy < MAX_PIPELINED) resumeReading(socket);
      state.served = true;
      state.idleSince = Date.now();
      if (open.delete(socket)) open.set(socket, state);
    });
  });
  return open;
}
