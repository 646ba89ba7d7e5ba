import { createHash } from 'node:crypto';
import { normalize, sep } from 'node:path';
import { ConfigurationError } from '@housing/core/errors';
import { staysInside } from './inside.ts';

/** One file of a tracked directory: its md5 and its path inside the directory (posix). */
export interface ManifestEntry {
  md5: string;
  relpath: string;
}

/**
 * Parses and checks a `.dir` manifest's bytes; `location` names where they
 * came from in errors. Every relpath must stay inside the directory.
 */
export function parseManifest(bytes: Buffer, location: string): ManifestEntry[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new ConfigurationError(`directory manifest at ${location} is not JSON`);
  }
  if (!Array.isArray(parsed))
    throw new ConfigurationError(`directory manifest at ${location} is not a JSON list`);
  const entries = parsed.map((item: unknown, index) => {
    const entry = item as Partial<ManifestEntry> | null;
    if (
      typeof entry?.md5 !== 'string' ||
      !/^[0-9a-f]{32}$/.test(entry.md5) ||
      typeof entry.relpath !== 'string'
    ) {
      throw new ConfigurationError(
        `directory manifest at ${location}: entry [${index}] needs md5 and relpath`,
      );
    }
    const given = entry.relpath;
    const bad = (why: string) =>
      new ConfigurationError(
        `directory manifest at ${location}: entry [${index}] relpath ${quote(given)} ${why}`,
      );
    if (!staysInside(given)) throw bad('escapes the directory');
    // A NUL cannot be in a file name; a trailing slash names a folder, not a file.
    if (given.includes('\0')) throw bad('contains a NUL byte');
    const rel = normalize(given);
    if (rel.endsWith(sep)) throw bad('does not name a file');
    return { md5: entry.md5, relpath: rel.split(sep).join('/') };
  });
  checkOneFilePerPath(
    entries,
    parsed.map((item: { relpath: string }) => item.relpath),
    location,
  );
  return entries;
}

/** A relpath as errors show it: in quotes, a NUL as a visible \\0 (a terminal would drop it). */
const quote = (relpath: string): string => `'${relpath.replaceAll('\0', '\\0')}'`;

/** A folder of the manifest's tree: the entry that first made it, and what it holds. */
interface Folder {
  entry: number;
  children: Map<string, Folder | number>;
}

/**
 * Each path names one file: listed once, and not also a folder of another
 * entry. Either would make the pull's staging copy fail on a path that names
 * no entry, after fetching part of the data. A tree of path components keeps
 * the work linear in the manifest's size, however deep its paths.
 */
function checkOneFilePerPath(
  entries: readonly ManifestEntry[],
  given: readonly string[],
  location: string,
): void {
  const root: Folder = { entry: -1, children: new Map() };
  entries.forEach(({ relpath }, index) => {
    const fail = (why: string, other: number) =>
      new ConfigurationError(
        `directory manifest at ${location}: entry [${index}] relpath ${quote(given[index] ?? relpath)} ${why} (entry [${other}])`,
      );
    const parts = relpath.split('/');
    let folder = root;
    for (const [i, part] of parts.entries()) {
      const node = folder.children.get(part);
      if (i === parts.length - 1) {
        if (typeof node === 'number') throw fail('is listed twice', node);
        if (node) throw fail('is also a folder', node.entry);
        folder.children.set(part, index);
      } else if (typeof node === 'number') {
        throw fail(`is inside the file '${parts.slice(0, i + 1).join('/')}'`, node);
      } else if (node) {
        folder = node;
      } else {
        const made: Folder = { entry: index, children: new Map() };
        folder.children.set(part, made);
        folder = made;
      }
    }
  });
}

/**
 * The `.dir` hash of a directory holding `entries`, computed as DVC 3
 * computes it: the md5 of its {@link manifestText}.
 * This is what lets a pull see that `data/` already matches `data.dvc`
 * without the remote, as `dvc pull` does from its local state.
 */
export function directoryHash(entries: readonly ManifestEntry[]): string {
  return `${createHash('md5').update(manifestText(entries)).digest('hex')}.dir`;
}

/**
 * The `.dir` manifest's bytes as DVC 3 writes them into its cache and
 * remote: Python's `json.dumps(entries, sort_keys=True)` (`", "` and `": "`
 * separators, no newline), entries sorted by path components. Its md5 is
 * {@link directoryHash}.
 */
export function manifestText(entries: readonly ManifestEntry[]): string {
  const sorted = [...entries].sort((a, b) => comparePaths(a.relpath, b.relpath));
  const body = sorted
    .map((e) => `{"md5": ${pythonJsonString(e.md5)}, "relpath": ${pythonJsonString(e.relpath)}}`)
    .join(', ');
  return `[${body}]`;
}

/** Orders paths as tuples of their components, as DVC sorts a tree's keys. */
function comparePaths(a: string, b: string): number {
  const x = a.split('/');
  const y = b.split('/');
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] !== y[i]) return x[i]! < y[i]! ? -1 : 1;
  }
  return x.length - y.length;
}

/** A JSON string as Python's json.dumps writes it (ensure_ascii: anything outside ' '..'~' escaped). */
function pythonJsonString(value: string): string {
  return JSON.stringify(value).replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
