import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * The paths git tracks, read from the index file itself (formats 2, 3 and 4), so that a
 * unit test can hold tracked files to a rule without starting `git`. Only regular files
 * are listed: symlinks and submodules have no text of their own here.
 */
export function trackedFiles(root: string): string[] {
  const git = join(root, '.git');
  if (!existsSync(git)) throw new Error(`${root} is not a git checkout: no .git`);
  // A worktree's .git is a file: `gitdir: <its folder in the main repository>`.
  let gitDir = git;
  if (!statSync(git).isDirectory()) {
    const line = /^gitdir: (.+)$/m.exec(readFileSync(git, 'utf8'));
    if (!line) throw new Error(`${git}: neither a folder nor a gitdir: line`);
    gitDir = resolve(root, line[1]!.trim());
  }
  const common = existsSync(join(gitDir, 'commondir'))
    ? resolve(gitDir, readFileSync(join(gitDir, 'commondir'), 'utf8').trim())
    : gitDir;
  const config = readFileSync(join(common, 'config'), 'utf8');
  const hashBytes = /objectformat\s*=\s*sha256/i.test(config) ? 32 : 20;
  return parseIndex(readFileSync(join(gitDir, 'index')), hashBytes);
}

/** The regular files an index lists, each once, in index order. */
export function parseIndex(index: Buffer, hashBytes: number): string[] {
  if (index.toString('latin1', 0, 4) !== 'DIRC') throw new Error('git index: no DIRC signature');
  const version = index.readUInt32BE(4);
  if (version < 2 || version > 4) throw new Error(`git index: version ${version} is not 2, 3 or 4`);
  const count = index.readUInt32BE(8);
  const paths = new Set<string>();
  let offset = 12;
  let previous: Buffer = Buffer.alloc(0);
  for (let i = 0; i < count; i++) {
    const start = offset;
    const mode = index.readUInt32BE(start + 24);
    offset = start + 40 + hashBytes;
    const flags = index.readUInt16BE(offset);
    offset += 2;
    if (version >= 3 && flags & 0x4000) offset += 2; // extended flags
    let path: Buffer;
    if (version === 4) {
      // The length of the previous path's tail to drop (git's offset varint), then the rest.
      let byte = index[offset++]!;
      let drop = byte & 0x7f;
      while (byte & 0x80) {
        byte = index[offset++]!;
        drop = ((drop + 1) << 7) | (byte & 0x7f);
      }
      const end = index.indexOf(0, offset);
      path = Buffer.concat([
        previous.subarray(0, previous.length - drop),
        index.subarray(offset, end),
      ]);
      offset = end + 1;
    } else {
      const end = index.indexOf(0, offset);
      path = index.subarray(offset, end);
      // Entries are NUL-padded to a multiple of 8 bytes, with at least one NUL.
      offset = start + ((end - start + 8) & ~7);
    }
    previous = path;
    if ((mode & 0o170000) === 0o100000) paths.add(path.toString('utf8'));
  }
  return [...paths];
}
