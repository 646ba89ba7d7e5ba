import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import { ConfigurationError, errnoCode, errorMessage } from './errors.ts';

/** A temporary path beside `target`, on the same filesystem so rename is atomic. */
export function tempPathFor(target: string): string {
  return join(
    dirname(target),
    `.${basename(target)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`,
  );
}

/** Whether a process with this id is running (a permission error means it is, as someone else's). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: unknown }).code === 'EPERM';
  }
}

/**
 * Removes the temporary paths {@link tempPathFor} made beside `target` for
 * processes that are gone: a process killed mid-write (SIGTERM, SIGKILL, a
 * crash) never ran its cleanup. Those of a running process are left alone.
 * Returns the names it removed.
 */
export async function removeStaleTemps(target: string): Promise<string[]> {
  const prefix = `.${basename(target)}.tmp-`;
  const names = await readdir(dirname(target)).catch(() => []);
  const stale = names.filter((name) => {
    const match = /^(\d+)-[0-9a-f]{8}$/.exec(name.slice(prefix.length));
    return name.startsWith(prefix) && match !== null && !isRunning(Number(match[1]));
  });
  for (const name of stale) await rm(join(dirname(target), name), { recursive: true, force: true });
  return stale;
}

/**
 * Writes a file so that readers see either the old content or the new one,
 * never a torn write: write a sibling temp file, fsync it, then rename.
 */
export async function writeFileAtomic(target: string, data: string | Uint8Array): Promise<void> {
  try {
    await writeThroughTemp(target, data);
  } catch (error) {
    // Where to write is the user's choice (--out, --report...): a folder where
    // the file goes, a file where a folder goes, no permission, a full disk.
    const code = errnoCode(error);
    const why = (code && WRITE_FAILURES[code]) ?? code ?? errorMessage(error);
    throw new ConfigurationError(`cannot write (${why})`, target);
  }
}

/** What an errno means for a file being written, in words. */
const WRITE_FAILURES: Record<string, string> = {
  EISDIR: 'EISDIR: a folder is there',
  EEXIST: 'EEXIST: a file is where its folder should be',
  ENOTDIR: 'ENOTDIR: a file is where its folder should be',
  EACCES: 'EACCES: permission denied',
  EPERM: 'EPERM: permission denied',
  EROFS: 'EROFS: read-only file system',
  ENOSPC: 'ENOSPC: no space left on the device',
};

async function writeThroughTemp(target: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(target), { recursive: true });
  const temp = tempPathFor(target);
  try {
    const handle = await open(temp, 'w');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** `writeFileAtomic` for JSON, pretty-printed with a trailing newline. */
export async function writeJsonAtomic(target: string, value: unknown): Promise<void> {
  await writeFileAtomic(target, `${JSON.stringify(value, null, 2)}\n`);
}

/**
 * Puts the directory `staged` at `target` as one unit: the old `target` (if
 * any) is renamed aside, `staged` renamed in, then the old one removed. If
 * the second rename fails the old directory is put back, so `target` is
 * always either entirely old or entirely new, never a mix. `staged` must be
 * on the same filesystem (a sibling from {@link tempPathFor}).
 */
export async function replaceDirectory(staged: string, target: string): Promise<void> {
  const previous = tempPathFor(target);
  const hadPrevious = await rename(target, previous).then(
    () => true,
    (error: unknown) => {
      if ((error as { code?: unknown }).code === 'ENOENT') return false;
      throw error;
    },
  );
  try {
    await rename(staged, target);
  } catch (error) {
    if (hadPrevious) await rename(previous, target);
    throw error;
  }
  if (hadPrevious) await rm(previous, { recursive: true, force: true });
}
