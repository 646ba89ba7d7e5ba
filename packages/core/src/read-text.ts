import { closeSync, openSync, readSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { ConfigurationError, errnoCode } from './errors.ts';

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
 * The one bounded read, as a generator so that a sync and an async driver
 * share it: it yields the buffer to read into next, is sent how many bytes
 * the read gave, and returns the whole content, or undefined as soon as it
 * holds more than `maxBytes`. Chunks are at most 1 MiB: nothing is allocated
 * up front for the limit, and a file that never ends (/dev/zero) costs at
 * most `maxBytes + 1` bytes.
 */
function* collectAtMost(maxBytes: number): Generator<Buffer, Buffer | undefined, number> {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const chunk = Buffer.allocUnsafe(Math.min(maxBytes + 1 - total, 2 ** 20));
    const bytesRead = yield chunk;
    if (bytesRead === 0) return Buffer.concat(chunks, total);
    chunks.push(chunk.subarray(0, bytesRead));
    total += bytesRead;
    if (total > maxBytes) return undefined;
  }
}

/**
 * Reads an open file to its end, stopping as soon as it holds more than
 * `maxBytes`: undefined then (see collectAtMost). Read errors are thrown as
 * fs throws them.
 */
export async function readHandleAtMost(
  handle: FileHandle,
  maxBytes: number,
): Promise<Buffer | undefined> {
  const reads = collectAtMost(maxBytes);
  for (let step = reads.next(); ;) {
    if (step.done) return step.value;
    const { bytesRead } = await handle.read(step.value, 0, step.value.length, null);
    step = reads.next(bytesRead);
  }
}

/**
 * {@link readHandleAtMost} for a path, synchronously: for configuration read
 * before anything starts (a secret from a `*_FILE` variable), where the
 * caller is synchronous. Undefined past `maxBytes`; open and read errors are
 * thrown as fs throws them.
 */
export function readFileAtMostSync(file: string, maxBytes: number): Buffer | undefined {
  const fd = openSync(file, 'r');
  try {
    const reads = collectAtMost(maxBytes);
    for (let step = reads.next(); ;) {
      if (step.done) return step.value;
      step = reads.next(readSync(fd, step.value, 0, step.value.length, null));
    }
  } finally {
    closeSync(fd);
  }
}

/** What {@link readTextFile} says when the file cannot be read. */
export interface ReadTextOptions {
  /** What the file is, in the message: `cannot read the data contract (ENOENT)`. */
  what?: string;
  /** The stage or command that writes it: `cannot read (ENOENT); the train stage writes it`. */
  writtenBy?: string;
  /** What to do about it, after the reason: `cannot read (ENOENT); <hint>`. */
  hint?: string;
  /** The most it may hold; {@link MAX_CONFIG_BYTES} unless set. */
  maxBytes?: number;
}

/**
 * A text file the user points at (a config, a report an earlier stage
 * wrote), or a ConfigurationError at `file` that says why it cannot be read
 * (`cannot read the DVC config (ENOENT); it must declare the default
 * remote`), never fs's stack. At most `maxBytes` are read (see readTextAtMost).
 */
export async function readTextFile(file: string, options: ReadTextOptions = {}): Promise<string> {
  try {
    return await readTextAtMost(file, options.maxBytes ?? MAX_CONFIG_BYTES);
  } catch (error) {
    throw readFailure(error, file, options);
  }
}

/**
 * {@link readTextFile} for a file that may be absent (`.dvc/config.local`):
 * undefined when there is none; any other failure is the same error.
 */
export async function readOptionalTextFile(
  file: string,
  options: ReadTextOptions = {},
): Promise<string | undefined> {
  try {
    return await readTextAtMost(file, options.maxBytes ?? MAX_CONFIG_BYTES);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return undefined;
    throw readFailure(error, file, options);
  }
}

/** A read's failure as the ConfigurationError it is (a too-large file already is one). */
function readFailure(error: unknown, file: string, options: ReadTextOptions): unknown {
  if (error instanceof ConfigurationError) return error;
  const hints = [
    options.writtenBy === undefined ? undefined : `${options.writtenBy} writes it`,
    options.hint,
  ].filter(Boolean);
  return new ConfigurationError(
    `cannot read ${options.what ? `the ${options.what} ` : ''}(${errnoCode(error) ?? 'unreadable'})${hints.map((h) => `; ${h}`).join('')}`,
    file,
  );
}
