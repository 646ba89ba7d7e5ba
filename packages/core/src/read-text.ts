import { open, type FileHandle } from 'node:fs/promises';
import { ConfigurationError } from './errors.ts';

/** The most a YAML or INI configuration file may hold; the project's are a few KiB. */
export const MAX_CONFIG_BYTES = 1024 * 1024;

/**
 * A text file, reading at most `maxBytes + 1` bytes: past `maxBytes` it is a
 * ConfigurationError naming the file, so a huge file (or /dev/zero) is
 * refused before it fills the heap or the parser works for minutes. Other
 * read errors are thrown as fs throws them, for the caller to word.
 */
export async function readTextAtMost(file: string, maxBytes: number): Promise<string> {
  const handle = await open(file, 'r');
  try {
    const bytes = await readHandleAtMost(handle, maxBytes);
    if (!bytes)
      throw new ConfigurationError(
        `holds more than ${maxBytes.toLocaleString('en-US')} bytes, more than this file can need`,
        file,
      );
    return bytes.toString('utf8');
  } finally {
    await handle.close();
  }
}

/**
 * Reads an open file to its end, in chunks of at most 1 MiB, and stops as soon
 * as it holds more than `maxBytes`: undefined then. Nothing is allocated up
 * front for the limit, and a file that never ends (/dev/zero) costs at most
 * `maxBytes + 1` bytes. Read errors are thrown as fs throws them.
 */
export async function readHandleAtMost(
  handle: FileHandle,
  maxBytes: number,
): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const chunk = Buffer.allocUnsafe(Math.min(maxBytes + 1 - total, 2 ** 20));
    const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
    if (bytesRead === 0) return Buffer.concat(chunks, total);
    chunks.push(chunk.subarray(0, bytesRead));
    total += bytesRead;
    if (total > maxBytes) return undefined;
  }
}
