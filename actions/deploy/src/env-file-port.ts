import { ConfigurationError } from '@housing/core/errors';

/** `[export ]KEY = value`, as Compose's env file parser reads a line. */
const ASSIGNMENT = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/;

/** A value as Compose reads it: quoted, or unquoted up to a ` #` comment. */
function envValue(raw: string): string {
  const quote = raw[0];
  if (quote === '"' || quote === "'") {
    const end = raw.indexOf(quote, 1);
    return end < 0 ? raw.slice(1) : raw.slice(1, end);
  }
  return raw.replace(/(^|\s)#.*$/, '').trim();
}

/**
 * The SERVICE_PORT an env file gives Compose (docker-compose.yml publishes
 * `${SERVICE_PORT:-8080}:8080`), or undefined when it sets none. Read as
 * Compose reads it (an `export ` prefix, quotes, a ` # comment` after an
 * unquoted value, the last assignment wins), so the deploy checks the port
 * the service is published on; one that is not a port is a
 * ConfigurationError at its `file:line`, never a silent 8080 that may be
 * another environment's service.
 */
export function envFilePort(text: string, file: string): number | undefined {
  let found: { value: string; line: number } | undefined;
  text.split(/\r?\n/).forEach((line, index) => {
    if (/^\s*#/.test(line)) return;
    const match = ASSIGNMENT.exec(line);
    if (match?.[1] === 'SERVICE_PORT') found = { value: envValue(match[2]!), line: index + 1 };
  });
  if (!found) return undefined;
  const port = /^\d{1,5}$/.test(found.value) ? Number(found.value) : NaN;
  if (!(port >= 1 && port <= 65_535))
    throw new ConfigurationError(
      `SERVICE_PORT '${found.value}' is not a port (1-65535)`,
      `${file}:${found.line}`,
    );
  return port;
}
