import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { parseDocument } from 'yaml';
import { ConfigurationError } from './errors.ts';

/**
 * Reads and parses a YAML file; a syntax error names the file (relative to the
 * working directory, where npm scripts run: the repository root) and line.
 */
export async function readYamlFile(path: string): Promise<unknown> {
  const text = await readFile(path, 'utf8');
  const doc = parseDocument(text, { prettyErrors: true });
  const error = doc.errors[0];
  if (error) {
    const line = error.linePos?.[0].line;
    const where = `${relative(process.cwd(), path)}${line === undefined ? '' : `:${line}`}`;
    throw new ConfigurationError(error.message.split('\n')[0] ?? error.message, where);
  }
  return doc.toJS() as unknown;
}
