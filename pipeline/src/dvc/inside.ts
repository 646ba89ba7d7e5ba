import { isAbsolute, normalize, sep } from 'node:path';

/**
 * True when the relative `path` names something strictly below its base
 * folder: not absolute, not the folder itself, no `..` step. A pull writes
 * and replaces such paths whole, so anything else could reach outside.
 */
export function staysInside(path: string): boolean {
  const rel = normalize(path);
  return (
    rel !== '' &&
    !isAbsolute(rel) &&
    rel !== '.' &&
    rel !== `.${sep}` &&
    !rel.split(sep).includes('..')
  );
}
