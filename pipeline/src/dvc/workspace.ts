import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigurationError, errnoCode } from '@housing/core/errors';
import { directoryHash, type ManifestEntry } from './manifest.ts';

/**
 * What the workspace holds where a `.dvc` file's output goes, read before a
 * pull decides anything: nothing, one file, or a directory's files (posix
 * relpath -> md5; undefined for an unreadable file, a symlink, a fifo or any
 * other non-regular file, which never counts as up to date and is replaced)
 * and its subdirectories.
 */
export type Workspace =
  | { kind: 'absent'; path: string }
  | { kind: 'file'; path: string; md5: string | undefined }
  | { kind: 'dir'; path: string; files: Map<string, string | undefined>; dirs: Set<string> };

/** How a workspace path is named in messages: as the user sees it, and the `.dvc` file that tracks it. */
export interface Names {
  display: string;
  dvcFile: string;
}

/**
 * Reads the output at `target`. A symlinked output is followed, so a swap
 * replaces the folder it points at, not the link. Throws a ConfigurationError
 * that says what to do when a file is where a directory is tracked, or the
 * other way round.
 */
export async function scanWorkspace(
  target: string,
  isDirectory: boolean,
  names: Names,
): Promise<Workspace> {
  const found = await stat(target).catch((error: unknown) => {
    if (errnoCode(error) === 'ENOENT') return undefined;
    throw workspaceError(error, names.display);
  });
  if (!found) return { kind: 'absent', path: target };
  const path = await realpath(target);
  if (isDirectory !== found.isDirectory()) {
    const is = found.isDirectory() ? 'a directory' : found.isFile() ? 'a file' : 'a special file';
    throw inTheWay(names.display, is, isDirectory, names);
  }
  // Only a regular file is read: a fifo or a device would block or never end.
  if (!isDirectory)
    return { kind: 'file', path, md5: found.isFile() ? await md5OfFile(path) : undefined };
  const files = new Map<string, string | undefined>();
  const dirs = new Set<string>();
  await walk(path, '', files, dirs, names.display);
  return { kind: 'dir', path, files, dirs };
}

async function walk(
  root: string,
  prefix: string,
  files: Map<string, string | undefined>,
  dirs: Set<string>,
  display: string,
): Promise<void> {
  const entries = await readdir(join(root, prefix), { withFileTypes: true }).catch(
    (error: unknown) => {
      throw workspaceError(error, display);
    },
  );
  for (const entry of entries) {
    const rel = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) {
      dirs.add(rel);
      await walk(root, rel, files, dirs, display);
    } else {
      files.set(rel, entry.isFile() ? await md5OfFile(join(root, rel)) : undefined);
    }
  }
}

/** The `.dir` hash of a scanned directory, or undefined when it holds a non-regular file. */
export function workspaceHash(files: Map<string, string | undefined>): string | undefined {
  const entries: ManifestEntry[] = [];
  for (const [relpath, md5] of files) {
    if (md5 === undefined) return undefined;
    entries.push({ relpath, md5 });
  }
  return directoryHash(entries);
}

/** The workspace's hash in the `.dvc` file's terms (md5, or `<md5>.dir`), or undefined when it has none. */
export function workspaceMd5(workspace: Workspace): string | undefined {
  if (workspace.kind === 'file') return workspace.md5;
  if (workspace.kind === 'dir') return workspaceHash(workspace.files);
  return undefined;
}

/**
 * Fails, before anything is fetched or written, when the manifest needs a
 * file where the workspace has a directory, or a directory where it has a file.
 */
export function checkConflicts(
  workspace: Workspace,
  entries: readonly ManifestEntry[],
  names: Names,
): void {
  if (workspace.kind !== 'dir') return;
  for (const { relpath } of entries) {
    if (workspace.dirs.has(relpath))
      throw inTheWay(`${names.display}/${relpath}`, 'a directory', false, names);
    const parts = relpath.split('/');
    for (let i = 1; i < parts.length; i++) {
      const parent = parts.slice(0, i).join('/');
      if (workspace.files.has(parent))
        throw inTheWay(`${names.display}/${parent}`, 'a file', true, names);
    }
  }
}

function inTheWay(
  display: string,
  is: string,
  tracksDirectory: boolean,
  names: Names,
): ConfigurationError {
  return new ConfigurationError(
    `${display} is ${is}, but ${names.dvcFile} tracks ${tracksDirectory ? 'a directory' : 'a file'} there: move it away or delete it, then pull again`,
  );
}

/**
 * A filesystem error in the workspace as a message naming the path and the
 * errno code (EACCES, ENOSPC, ...), instead of a stack trace.
 */
export function workspaceError(error: unknown, display: string): unknown {
  if (error instanceof ConfigurationError) return error;
  const code = errnoCode(error);
  if (code === undefined) return error;
  const path = (error as { path?: unknown }).path;
  return new ConfigurationError(
    `cannot update ${display}: ${code}${typeof path === 'string' ? ` on ${path}` : ''}`,
  );
}

/** md5 of a file's bytes, or undefined when it does not exist or cannot be read. */
export async function md5OfFile(path: string): Promise<string | undefined> {
  const hash = createHash('md5');
  try {
    for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  } catch {
    return undefined;
  }
  return hash.digest('hex');
}
