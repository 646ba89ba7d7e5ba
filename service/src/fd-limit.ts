import { readFileSync } from 'node:fs';

/**
 * Open files the service keeps for itself beyond its connections: stdio,
 * the event loop's own descriptors, the model file, onnxruntime and the
 * inference worker's threads, the listening socket. A running service with
 * a model holds about 30; the rest is headroom.
 */
export const FD_RESERVE = 128;

/**
 * The process's soft limit on open files (`ulimit -n`), from Linux's
 * /proc/self/limits; undefined where that file does not exist or says
 * "unlimited". Node has no API for getrlimit.
 */
export function openFileLimit(path = '/proc/self/limits'): number | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  const soft = /^Max open files\s+(\d+)/m.exec(text)?.[1];
  return soft === undefined ? undefined : Number(soft);
}
