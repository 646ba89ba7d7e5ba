import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { ConfigurationError, errnoCode } from '@housing/core/errors';
import { readHandleAtMost } from '@housing/core/read-text';

/**
 * Reads a model folder's file, which must be a regular file of at most
 * `maxBytes`. A FIFO would never end (and hold the load, every reload after
 * it and the shutdown), and a device such as /dev/zero would be read until
 * memory runs out. Opened non-blocking, so that opening a FIFO does not wait
 * for a writer either. The size is checked before reading, and again while
 * reading: a file may grow meanwhile, and some (in /proc) report size 0.
 * Every failure is a ConfigurationError naming `path` and `what` it is.
 */
export async function readRegularFile(
  path: string,
  what: string,
  maxBytes: number,
): Promise<Buffer> {
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    throw new ConfigurationError(
      `cannot read the ${what} (${errnoCode(error) ?? 'unreadable'})`,
      path,
    );
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile())
      throw new ConfigurationError(
        `the ${what} is not a regular file (${stats.isDirectory() ? 'a directory' : stats.isFIFO() ? 'a FIFO' : 'a device or socket'})`,
        path,
      );
    const tooLarge = (size: string) =>
      new ConfigurationError(`the ${what} is larger than ${maxBytes} bytes (${size})`, path);
    if (stats.size > maxBytes) throw tooLarge(`${stats.size} bytes`);
    const bytes = await readHandleAtMost(handle, maxBytes);
    if (!bytes) throw tooLarge('it grew while being read');
    return bytes;
  } catch (error) {
    if (error instanceof ConfigurationError) throw error;
    throw new ConfigurationError(
      `cannot read the ${what} (${errnoCode(error) ?? 'unreadable'})`,
      path,
    );
  } finally {
    await handle.close();
  }
}
