import { isAbsolute, join, resolve } from 'node:path';
import { ConfigurationError } from '@housing/core/errors';
import { parse } from 'ini';
import { readOptionalTextFile, readTextFile } from '@housing/core/read-text';

/** Settings of one `remote "name"` section. */
export type RemoteSettings = Record<string, string>;

/** What the built-in pull needs from `.dvc/config` (merged with `config.local`). */
export interface DvcConfig {
  defaultRemote: string | undefined;
  remotes: Map<string, RemoteSettings>;
}

/** The remote chosen for a pull, with its url resolved the way DVC resolves it. */
export interface ResolvedRemote {
  name: string;
  /** The url as written in the config. */
  url: string;
  /** An absolute local path, an http(s) URL, or the s3:// url. */
  location: string;
  kind: 'local' | 'http' | 's3';
  settings: RemoteSettings;
}

/** A `[section]` line; DVC's sections are `[core]` and `['remote "name"']`. */
const ANY_SECTION = /^\[.*\]$/;
const KEY_VALUE = /^([A-Za-z0-9_.-]+)\s*=\s*(.*)$/;
/** A remote's section name once `ini` has taken its quotes off: `remote "name"`. */
const REMOTE_SECTION = /^remote\s+"([^"]+)"$/;

/**
 * What `ini` would read without a word: a line that is neither `key = value`
 * nor a `[section]` (ini makes it a key set to true), and a key before any
 * section (ini files it at the top level). DVC refuses both, so these are
 * errors at their line.
 */
function checkLines(text: string, file: string): void {
  let inSection = false;
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) return;
    const where = { file, line: index + 1 };
    if (ANY_SECTION.test(line)) {
      inSection = true;
      return;
    }
    const kv = KEY_VALUE.exec(line);
    if (!kv)
      throw new ConfigurationError(
        `cannot parse '${line}': expected 'key = value' or a [section]`,
        where,
      );
    if (!inSection) throw new ConfigurationError(`'${kv[1]}' appears before any [section]`, where);
  });
}

/**
 * `ini` nests a section whose name holds a dot (`[a.b]` is `b` inside `a`);
 * a remote's name may hold one (`['remote "my.store"']`), so section names
 * are escaped to stay whole.
 */
function escapeSectionDots(text: string): string {
  return text.replace(
    /^(\s*)\[(.*)\](\s*)$/gm,
    (_, before: string, name: string, after: string) =>
      `${before}[${name.replace(/\./g, '\\.')}]${after}`,
  );
}

/**
 * Parses DVC's config syntax (configobj: `[core]`, `['remote "name"']`,
 * `key = value`) with `ini`, after a line check that keeps errors at
 * file:line. Sections the pull does not use are skipped, not rejected.
 */
export function parseDvcConfig(text: string, file: string, into?: DvcConfig): DvcConfig {
  const config: DvcConfig = into ?? { defaultRemote: undefined, remotes: new Map() };
  checkLines(text, file);
  const sections = parse(escapeSectionDots(text)) as Record<string, unknown>;
  for (const [name, values] of Object.entries(sections)) {
    if (typeof values !== 'object' || values === null) continue;
    const settings = Object.fromEntries(
      Object.entries(values).map(([key, value]) => [key, String(value)]),
    );
    if (name.trim() === 'core' && settings.remote !== undefined)
      config.defaultRemote = settings.remote;
    const remote = REMOTE_SECTION.exec(name.trim())?.[1];
    if (remote !== undefined)
      config.remotes.set(remote, { ...config.remotes.get(remote), ...settings });
  }
  return config;
}

/** Reads `.dvc/config`, then `.dvc/config.local` over it, as DVC does. */
export async function readDvcConfig(dvcDir: string): Promise<DvcConfig> {
  const file = join(dvcDir, 'config');
  const text = await readTextFile(file, {
    what: 'DVC config',
    hint: 'it must declare the default remote',
  });
  const config = parseDvcConfig(text, file);
  const localFile = join(dvcDir, 'config.local');
  const local = await readOptionalTextFile(localFile);
  if (local !== undefined) parseDvcConfig(local, localFile, config);
  return config;
}

/**
 * Picks the remote (the named one, else `core.remote`) and resolves its url:
 * a relative path is relative to `.dvc/`, as in DVC.
 */
export function resolveRemote(config: DvcConfig, dvcDir: string, name?: string): ResolvedRemote {
  const file = join(dvcDir, 'config');
  const chosen = name ?? config.defaultRemote;
  const defined = [...config.remotes.keys()];
  if (chosen === undefined) {
    throw new ConfigurationError(
      `no default remote: add 'remote = <name>' under [core] (dvc remote default <name>); defined remotes: ${defined.join(', ') || 'none'}`,
      file,
    );
  }
  const settings = config.remotes.get(chosen);
  if (!settings) {
    throw new ConfigurationError(
      `remote '${chosen}' is not defined; defined remotes: ${defined.join(', ') || 'none'}`,
      file,
    );
  }
  const url = settings.url;
  if (!url) throw new ConfigurationError(`remote '${chosen}' has no url`, file);
  if (/^https?:\/\//i.test(url)) {
    return { name: chosen, url, location: url.replace(/\/+$/, ''), kind: 'http', settings };
  }
  if (/^s3:\/\//i.test(url)) return { name: chosen, url, location: url, kind: 's3', settings };
  if (/^file:\/\//i.test(url)) {
    return { name: chosen, url, location: new URL(url).pathname, kind: 'local', settings };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
    const scheme = url.split(':')[0]!;
    throw new ConfigurationError(
      `remote '${chosen}' uses ${scheme}://, which the built-in pull does not speak (it reads local, http(s) and s3 remotes); install DVC with that extra, e.g. pip install 'dvc[${scheme}]', and run dvc pull`,
      file,
    );
  }
  return {
    name: chosen,
    url,
    location: isAbsolute(url) ? url : resolve(dvcDir, url),
    kind: 'local',
    settings,
  };
}
