import { isAbsolute, join, resolve } from 'node:path';
import { ConfigurationError, errnoCode } from '@housing/core/errors';
import { MAX_CONFIG_BYTES, readTextAtMost } from '@housing/core/read-text';

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

const SECTION = /^\[\s*'?(?:(core)|remote\s+"([^"]+)")'?\s*\]$/;
const ANY_SECTION = /^\[.*\]$/;
const KEY_VALUE = /^([A-Za-z0-9_.-]+)\s*=\s*(.*)$/;

/**
 * Parses DVC's config syntax (configobj: `[core]`, `['remote "name"']`,
 * `key = value`). Sections the pull does not use are skipped, not rejected.
 */
export function parseDvcConfig(text: string, file: string, into?: DvcConfig): DvcConfig {
  const config: DvcConfig = into ?? { defaultRemote: undefined, remotes: new Map() };
  let section: { kind: 'core' } | { kind: 'remote'; name: string } | { kind: 'other' } | undefined;
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) return;
    const where = `${file}:${index + 1}`;
    const header = SECTION.exec(line);
    if (header) {
      if (header[1]) section = { kind: 'core' };
      else {
        const name = header[2]!;
        section = { kind: 'remote', name };
        if (!config.remotes.has(name)) config.remotes.set(name, {});
      }
      return;
    }
    if (ANY_SECTION.test(line)) {
      section = { kind: 'other' };
      return;
    }
    const kv = KEY_VALUE.exec(line);
    if (!kv)
      throw new ConfigurationError(
        `cannot parse '${line}': expected 'key = value' or a [section]`,
        where,
      );
    if (!section) throw new ConfigurationError(`'${kv[1]}' appears before any [section]`, where);
    const key = kv[1]!;
    const value = unquote(kv[2]!.trim());
    if (section.kind === 'core' && key === 'remote') config.defaultRemote = value;
    if (section.kind === 'remote') config.remotes.get(section.name)![key] = value;
  });
  return config;
}

function unquote(value: string): string {
  const m = /^(['"])(.*)\1$/.exec(value);
  return m ? m[2]! : value;
}

/** Reads `.dvc/config`, then `.dvc/config.local` over it, as DVC does. */
export async function readDvcConfig(dvcDir: string): Promise<DvcConfig> {
  const file = join(dvcDir, 'config');
  let text: string;
  try {
    text = await readTextAtMost(file, MAX_CONFIG_BYTES);
  } catch (error) {
    if (error instanceof ConfigurationError) throw error;
    throw new ConfigurationError(
      `cannot read the DVC config (${errnoCode(error) ?? 'unreadable'}); it must declare the default remote`,
      file,
    );
  }
  const config = parseDvcConfig(text, file);
  const localFile = join(dvcDir, 'config.local');
  const local = await readTextAtMost(localFile, MAX_CONFIG_BYTES).catch((error: unknown) => {
    if (error instanceof ConfigurationError) throw error;
    if (errnoCode(error) === 'ENOENT') return undefined;
    throw new ConfigurationError(`cannot read (${errnoCode(error) ?? 'unreadable'})`, localFile);
  });
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
