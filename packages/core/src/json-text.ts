import { ConfigurationError, errorMessage } from './errors.ts';

/**
 * Parses JSON read from `file`. A syntax error is a ConfigurationError at
 * `file:line:column`: V8 gives only a character position (or none, when the
 * text ends early), which no editor shows.
 */
export function parseJsonText(text: string, file: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const message = errorMessage(error);
    const match = / at position (\d+)/.exec(message);
    const offset = match ? Math.min(Number(match[1]), text.length) : text.length;
    const before = text.slice(0, offset);
    const line = before.split('\n').length;
    const column = offset - before.lastIndexOf('\n');
    throw new ConfigurationError(
      `not valid JSON: ${message.replace(/ in JSON at position \d+.*$/, '')}`,
      `${file}:${line}:${column}`,
    );
  }
}
