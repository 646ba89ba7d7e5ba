import { copyFile, link, mkdir, rename, rm, stat } from 'node:fs/promises';
import { renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { isMap, isSeq, parseDocument } from 'yaml';
import { tempPathFor, writeFileAtomic } from '@housing/core/atomic';
import { directoryHash, manifestText, type ManifestEntry } from '../dvc/manifest.ts';
import { objectKey } from '../dvc/storage.ts';
import { scanWorkspace, type Names } from '../dvc/workspace.ts';
import { ConfigurationError } from '@housing/core/errors';
import { appendToCsv } from './csv-rows.ts';

/** A new version of the tracked folder, complete beside it and not yet in place. */
export interface StagedVersion {
  /** The staged folder (a sibling of the tracked one, from tempPathFor). */
  staging: string;
  entries: ManifestEntry[];
  /** The `.dir` manifest's bytes, as DVC writes them. */
  manifest: string;
  /** `<md5 of the manifest>.dir`, data.dvc's md5. */
  md5: string;
  /** Bytes of every file together, data.dvc's size. */
  size: number;
  nfiles: number;
}

/** What changes from the tracked folder to the new version. */
export interface Change {
  /** The tracked folder (data/), already matching data.dvc. */
  dataDir: string;
  names: Names;
  /** The CSV inside it that rows are appended to, relative (`housing.csv`). */
  csv: string;
  /** CSV lines to append. */
  append: string;
  /** A file to write whole (the export record): relative path and text. */
  write: { path: string; text: string };
}

/**
 * Builds the new version of the tracked folder beside it: every unchanged
 * file hard-linked (a copy across filesystems), the CSV copied and the rows
 * appended to the copy, the export record written; then hashes it as `dvc
 * add` does. The workspace is not touched: {@link commitVersion} puts it in
 * place. On failure the staged folder is removed.
 */
export async function stageVersion(change: Change): Promise<StagedVersion> {
  const current = await scanWorkspace(change.dataDir, true, change.names);
  if (current.kind !== 'dir')
    throw new ConfigurationError(`${change.names.display} is missing: pull it first`);
  if (!current.files.has(change.csv))
    throw new ConfigurationError(
      `${change.names.display}/${change.csv} is not in the tracked folder: params.yaml data.path must name a file inside it`,
    );
  const staging = tempPathFor(current.path);
  try {
    await mkdir(staging);
    for (const rel of current.files.keys()) {
      if (rel === change.write.path) continue;
      const from = join(current.path, rel);
      const to = join(staging, rel);
      await mkdir(dirname(to), { recursive: true });
      // The CSV is copied, never linked: appending to a link would change the workspace's file.
      if (rel === change.csv) await copyFile(from, to);
      else await link(from, to).catch(() => copyFile(from, to));
    }
    await appendToCsv(join(staging, change.csv), change.append);
    await writeFileAtomic(join(staging, change.write.path), change.write.text);
    return await hashVersion(staging, change.names);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
}

/** Hashes a staged folder as `dvc add` would: each file's md5, the manifest, size and count. */
async function hashVersion(staging: string, names: Names): Promise<StagedVersion> {
  const scanned = await scanWorkspace(staging, true, names);
  if (scanned.kind !== 'dir') throw new ConfigurationError(`${staging} vanished while staging`);
  const entries: ManifestEntry[] = [];
  let size = 0;
  for (const [relpath, md5] of scanned.files) {
    if (md5 === undefined)
      throw new ConfigurationError(`cannot read ${staging}/${relpath} to hash it`);
    entries.push({ relpath, md5 });
    size += (await stat(join(staging, relpath))).size;
  }
  return {
    staging,
    entries,
    manifest: manifestText(entries),
    md5: directoryHash(entries),
    size,
    nfiles: entries.length,
  };
}

/**
 * The `.dvc` file's text for the new version: `outs[0]`'s md5, size and
 * nfiles replaced, `hash: md5` kept, every other key and the order as they
 * were, in DVC's layout (a sequence not indented under its key), so a file
 * `dvc add` wrote changes only in those values.
 */
export function dvcFileText(
  previous: string,
  version: Pick<StagedVersion, 'md5' | 'size' | 'nfiles'>,
  file: string,
): string {
  const doc = parseDocument(previous);
  const outs = isMap(doc.contents) ? doc.contents.get('outs', true) : undefined;
  const out = isSeq(outs) ? outs.items[0] : undefined;
  if (!isMap(out)) throw new ConfigurationError("expected 'outs' with one mapping", file);
  out.set('md5', version.md5);
  out.set('size', version.size);
  out.set('nfiles', version.nfiles);
  out.set('hash', 'md5');
  return doc.toString({ indentSeq: false, lineWidth: 0 });
}

/**
 * Puts the version's objects into `.dvc/cache` (DVC 3's layout,
 * `files/md5/<2>/<30>`), as `dvc add` leaves them: each file that is not
 * there yet, copied through a temporary file and renamed (an interrupted
 * copy never looks complete), then the manifest. `dvc push` reads them from
 * there, and the built-in pull finds the manifest there.
 */
export async function writeCacheObjects(dvcDir: string, version: StagedVersion): Promise<void> {
  for (const entry of version.entries) {
    const target = join(dvcDir, 'cache', ...objectKey(entry.md5));
    if (
      await stat(target).then(
        () => true,
        () => false,
      )
    )
      continue;
    await mkdir(dirname(target), { recursive: true });
    const temp = tempPathFor(target);
    try {
      await copyFile(join(version.staging, entry.relpath), temp);
      await rename(temp, target);
    } finally {
      await rm(temp, { force: true });
    }
  }
  await writeFileAtomic(join(dvcDir, 'cache', ...objectKey(version.md5)), version.manifest);
}

/**
 * Puts the new version in place: the tracked folder swapped for the staged
 * one and the `.dvc` file replaced, by three renames in one synchronous
 * block. No signal handler (Ctrl-C, SIGTERM) can run between them, so an
 * interrupted refresh leaves both as they were, or both new; only SIGKILL
 * or a crash of the machine inside those three system calls could split
 * them, and `npm run data:pull` then brings data/ back to what data.dvc says.
 */
export async function commitVersion(
  version: StagedVersion,
  dataDir: string,
  dvcFile: string,
  dvcText: string,
): Promise<void> {
  const dvcTemp = tempPathFor(dvcFile);
  await writeFileAtomic(dvcTemp, dvcText);
  const previous = tempPathFor(dataDir);
  try {
    renameSync(dataDir, previous);
    try {
      renameSync(version.staging, dataDir);
    } catch (error) {
      renameSync(previous, dataDir);
      throw error;
    }
    try {
      renameSync(dvcTemp, dvcFile);
    } catch (error) {
      renameSync(dataDir, version.staging);
      renameSync(previous, dataDir);
      throw error;
    }
  } finally {
    await rm(dvcTemp, { force: true });
  }
  await rm(previous, { recursive: true, force: true });
}
