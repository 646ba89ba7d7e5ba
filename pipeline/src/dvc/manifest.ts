import { createHash } from 'node:crypto';
import { normalize, sep } from 'node:path';
import { ConfigurationError } from '../util/errors.ts';
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
  return parsed.map((item: unknown, index) => {
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
    const rel = normalize(entry.relpath);
    if (!staysInside(entry.relpath)) {
      throw new ConfigurationError(
        `directory manifest at ${location}: entry [${index}] relpath '${entry.relpath}' escapes the directory`,
      );
    }
    return { md5: entry.md5, relpath: rel.split(sep).join('/') };
  });
}

/**
 * The `.dir` hash of a directory holding `entries`, computed as DVC 3
 * computes it: the md5 of the manifest serialized as Python's
 * `json.dumps(entries, sort_keys=True)`, entries sorted by path components.
 * This is what lets a pull see that `data/` already matches `data.dvc`
 * without the remote, as `dvc pull` does from its local state.
 */
export function directoryHash(entries: readonly ManifestEntry[]): string {
  const sorted = [...entries].sort((a, b) => comparePaths(a.relpath, b.relpath));
  const body = sorted
    .map((e) => `{"md5": ${pythonJsonString(e.md5)}, "relpath": ${pythonJsonString(e.relpath)}}`)
    .join(', ');
  return `${createHash('md5').update(`[${body}]`).digest('hex')}.dir`;
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
