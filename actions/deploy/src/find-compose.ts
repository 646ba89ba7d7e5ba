import { ConfigurationError } from '@housing/core/errors';

/** Runs a program and gives its exit code and stdout; throws when it cannot be started. */
export type Probe = (
  program: string,
  args: string[],
) => Promise<{ exitCode: number; stdout: string }>;

/** How a runner's Compose is called: the docker CLI plugin, or a standalone docker-compose. */
export interface ComposeCommand {
  program: string;
  /** The arguments before Compose's own (`compose` for the plugin). */
  prefix: string[];
  version: string;
}

const V2 =
  'Compose v2: the docker-compose-plugin package (docker compose), or a standalone docker-compose 2.x';

/**
 * Finds Compose v2 on the runner: `docker compose` (the plugin) first, then a
 * standalone `docker-compose` of major version 2 or later. Compose v1
 * (`docker-compose` 1.x, Python) cannot read this repository's compose file
 * (top-level `name`, secrets from the environment): finding only it is a
 * ConfigurationError that says so, before anything is deployed.
 */
export async function findCompose(probe: Probe): Promise<ComposeCommand> {
  const plugin = await versionOf(probe, 'docker', ['compose', 'version', '--short']);
  if (plugin !== undefined) return { program: 'docker', prefix: ['compose'], version: plugin };
  const standalone = await versionOf(probe, 'docker-compose', ['version', '--short']);
  if (standalone === undefined)
    throw new ConfigurationError(`no Docker Compose on this runner's PATH: install ${V2}`);
  const major = Number(/^v?(\d+)\./.exec(standalone)?.[1]);
  if (!(major >= 2))
    throw new ConfigurationError(
      `only docker-compose ${standalone} (Compose v1) is on this runner's PATH, and it cannot read this repository's compose file (top-level name, secrets from the environment): install ${V2}`,
    );
  return { program: 'docker-compose', prefix: [], version: standalone };
}

/** The version a Compose prints, or undefined when it is missing or fails. */
async function versionOf(
  probe: Probe,
  program: string,
  args: string[],
): Promise<string | undefined> {
  try {
    const { exitCode, stdout } = await probe(program, args);
    const version = stdout.trim().split('\n').at(-1)?.trim();
    return exitCode === 0 && version ? version : undefined;
  } catch {
    // Not on PATH (or not startable): the next candidate, or the error above.
    return undefined;
  }
}
