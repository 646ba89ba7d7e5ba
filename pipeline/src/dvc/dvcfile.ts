import { isMap, isSeq, type Node as YamlNode } from 'yaml';
import { ConfigurationError } from '@housing/core/errors';
import { readTextFile } from '@housing/core/read-text';
import { parseYamlText } from '@housing/core/yaml-file';
import { staysInside } from './inside.ts';

/** One tracked output of a `.dvc` file, as `dvc add` writes it (DVC 3 format). */
export interface DvcOut {
  /** The md5 DVC stores; a directory's ends in `.dir`. */
  md5: string;
  /** The tracked path, relative to the `.dvc` file's folder. */
  path: string;
  size?: number;
  nfiles?: number;
  isDirectory: boolean;
}

const MD5 = /^[0-9a-f]{32}(\.dir)?$/;

/** Reads a `.dvc` file and returns its single output, with errors at file:line. */
export async function readDvcFile(file: string): Promise<DvcOut> {
  const text = await readTextFile(file, {
    what: 'DVC file',
    hint: "it should track data/ as 'dvc add data' writes it",
  });
  return parseDvcFile(text, file);
}

/** Parses `.dvc` file text. `file` is only used to say where an error is. */
export function parseDvcFile(text: string, file: string): DvcOut {
  const { doc, at } = parseYamlText(text, file);
  const root = doc.contents;
  const outs = isMap(root) ? root.get('outs', true) : undefined;
  if (!isSeq(outs) || outs.items.length === 0) {
    throw new ConfigurationError("expected a non-empty 'outs' list", at(root));
  }
  if (outs.items.length > 1) {
    throw new ConfigurationError(
      'expected exactly one entry in outs (one tracked path per .dvc file)',
      at(outs),
    );
  }
  const out = outs.items[0] as YamlNode;
  if (!isMap(out)) throw new ConfigurationError('outs[0] must be a mapping', at(out));
  const md5 = out.get('md5');
  const path = out.get('path');
  if (typeof md5 !== 'string' || !MD5.test(md5)) {
    throw new ConfigurationError(
      `outs[0].md5 must be 32 hex digits, optionally ending in .dir; got ${JSON.stringify(md5)}`,
      at(out.get('md5', true) ?? out),
    );
  }
  if (typeof path !== 'string' || path === '') {
    throw new ConfigurationError('outs[0].path must be a non-empty string', at(out));
  }
  if (!staysInside(path)) {
    // A pull swaps the tracked path whole: '..', an absolute path or the
    // folder itself would replace (and delete the files of) something that
    // is not the data. DVC refuses such outputs too.
    throw new ConfigurationError(
      `outs[0].path ${JSON.stringify(path)} must name a path inside the folder of the .dvc file`,
      at(out.get('path', true) ?? out),
    );
  }
  const hash = out.get('hash');
  if (hash !== undefined && hash !== 'md5') {
    throw new ConfigurationError(
      `outs[0].hash is ${JSON.stringify(hash)}; only DVC 3's 'md5' is supported`,
      at(out.get('hash', true)),
    );
  }
  // size bounds every object a pull reads (see maxObjectBytes): a count, or absent.
  const count = (key: 'size' | 'nfiles'): number | undefined => {
    const value: unknown = out.get(key);
    if (value === undefined) return undefined;
    if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
    throw new ConfigurationError(
      `outs[0].${key} must be a whole number of ${key === 'size' ? 'bytes' : 'files'}; got ${JSON.stringify(value)}`,
      at(out.get(key, true) ?? out),
    );
  };
  const size = count('size');
  const nfiles = count('nfiles');
  return {
    md5,
    path,
    isDirectory: md5.endsWith('.dir'),
    ...(size !== undefined ? { size } : {}),
    ...(nfiles !== undefined ? { nfiles } : {}),
  };
}
