import { relative } from 'node:path';
import { LineCounter, parseDocument, type Document } from 'yaml';
import { ConfigurationError, type Problem } from './errors.ts';
import { readTextFile } from './read-text.ts';

/** A parsed YAML document, and where its nodes are in the file. */
export interface ParsedYaml {
  doc: Document.Parsed;
  /** The 1-based line where `node` starts, or undefined when it has no position. */
  lineOf: (node: unknown) => number | undefined;
  /** `{ file, line }` of `node` for a ConfigurationError; `{ file }` when it has no position. */
  at: (node: unknown) => Omit<Problem, 'message'>;
}

/** A node's start offset, when it is a node `yaml` positioned. */
function startOf(node: unknown): number | undefined {
  const range = (node as { range?: unknown } | null | undefined)?.range;
  return Array.isArray(range) && typeof range[0] === 'number' ? range[0] : undefined;
}

/**
 * Parses YAML text read from `file`. A syntax error is a ConfigurationError
 * `invalid YAML: <yaml's first line>` at `file:line`; its problem also
 * carries the column, for annotations. The one place YAML errors become
 * locations: the pipeline, monitoring and the actions all parse here.
 */
export function parseYamlText(text: string, file: string): ParsedYaml {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true });
  const error = doc.errors[0];
  if (error) {
    const position = error.linePos?.[0];
    const message = `invalid YAML: ${error.message.split('\n')[0] ?? error.message}`;
    const line = position?.line ?? 1;
    throw new ConfigurationError(message, { file, line }, [
      { message, file, line, ...(position ? { column: position.col } : {}) },
    ]);
  }
  const lineOf = (node: unknown): number | undefined => {
    const offset = startOf(node);
    return offset === undefined ? undefined : lineCounter.linePos(offset).line;
  };
  return {
    doc,
    lineOf,
    at: (node) => {
      const line = lineOf(node);
      return line === undefined ? { file } : { file, line };
    },
  };
}

/**
 * Reads (at most 1 MiB, see readTextFile) and parses a YAML file; errors
 * name the file relative to the working directory, where npm scripts run
 * (the repository root), and the line.
 */
export async function readYamlFile(path: string): Promise<unknown> {
  const file = relative(process.cwd(), path);
  // Relative to the working directory, it names the same file.
  return parseYamlText(await readTextFile(file), file).doc.toJS() as unknown;
}
