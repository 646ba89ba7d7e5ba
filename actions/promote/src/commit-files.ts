import { readFile } from 'node:fs/promises';
import { isAbsolute, join, posix } from 'node:path';
import { ConfigurationError, errnoCode } from '@housing/core/errors';

/**
 * The `files` input: newline-separated paths inside the workspace (blank lines
 * skipped), each read from it and committed at the same path. A path outside
 * the workspace, one given twice, one of `reserved` (what the action writes
 * itself) or one that cannot be read is refused, naming it.
 */
export async function readFilesInput(
  text: string,
  workspace: string,
  reserved: string[],
): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  for (const line of text.split('\n')) {
    const given = line.trim();
    if (given === '') continue;
    const path = posix.normalize(given);
    if (isAbsolute(given) || path === '.' || path === '..' || path.startsWith('../'))
      throw new ConfigurationError(`input 'files': '${given}' must be a path inside the workspace`);
    if (reserved.includes(path))
      throw new ConfigurationError(`input 'files': '${given}' is the file this action writes`);
    if (files.has(path)) throw new ConfigurationError(`input 'files': '${given}' is listed twice`);
    const bytes = await readFile(join(workspace, path)).catch((error: unknown) => {
      throw new ConfigurationError(
        `input 'files': cannot read '${given}' (${errnoCode(error) ?? 'unreadable'})`,
      );
    });
    files.set(path, bytes);
  }
  return files;
}
