import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { parseDocument } from 'yaml';
import { ConfigurationError } from '../../pipeline/src/util/errors.ts';
import { ROOT } from './paths.ts';

/** Reads and parses a YAML file; a syntax error names the file and line. */
export async function readYamlFile(path: string): Promise<unknown> {
  const text = await readFile(path, 'utf8');
  const doc = parseDocument(text, { prettyErrors: true });
  const error = doc.errors[0];
  if (error) {
    const line = error.linePos?.[0].line;
    const where = `${relative(ROOT, path)}${line === undefined ? '' : `:${line}`}`;
    throw new ConfigurationError(error.message.split('\n')[0] ?? error.message, where);
  }
  return doc.toJS() as unknown;
}
