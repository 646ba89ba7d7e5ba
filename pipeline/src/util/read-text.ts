import { open } from 'node:fs/promises';
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
    const buffer = Buffer.alloc(maxBytes + 1);
    let size = 0;
    for (let n = -1; n !== 0 && size < buffer.length; size += n)
      ({ bytesRead: n } = await handle.read(buffer, size, buffer.length - size, null));
    if (size > maxBytes)
      throw new ConfigurationError(
        `holds more than ${maxBytes.toLocaleString('en-US')} bytes, more than this file can need`,
        file,
      );
    return buffer.toString('utf8', 0, size);
  } finally {
    await handle.close();
  }
}
