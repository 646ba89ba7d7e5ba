import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { readDvcFile } from '../dvc/dvcfile.ts';
import { md5OfFile, scanWorkspace, workspaceMd5 } from '../dvc/workspace.ts';
import type { DataProvenance } from '@housing/model-card/schema';

/**
 * Where a CSV came from, for the card. A file inside the output `dvcFile`
 * tracks is named by that file and its hash only when the workspace holds
 * exactly what the `.dvc` file records (the hash is computed as `dvc status`
 * would, so an edited, added or removed file counts): only then can
 * `dvc pull` give someone else these bytes. Otherwise the file's own md5.
 */
export async function dataProvenance(
  path: string,
  rows: number,
  dvcFile = 'data.dvc',
): Promise<DataProvenance> {
  const own = async (): Promise<DataProvenance> => ({
    dvc_file: '',
    md5: (await md5OfFile(path)) ?? '',
    path,
    rows,
  });
  const tracked = await readDvcFile(dvcFile).catch(() => undefined);
  if (!tracked) return own();
  const output = join(dirname(dvcFile), tracked.path);
  const inside = relative(resolve(output), resolve(path));
  if (inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside)) return own();
  const workspace = await scanWorkspace(output, tracked.isDirectory, {
    display: output,
    dvcFile,
  }).catch(() => undefined);
  if (!workspace || workspaceMd5(workspace) !== tracked.md5) return own();
  return { dvc_file: dvcFile, md5: tracked.md5, path, rows };
}
