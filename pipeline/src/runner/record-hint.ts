import { join } from 'node:path';
import { gitTrackedRecord, readDvcYaml } from './dvcyaml.ts';
import { changedFromHead } from '../util/git-changes.ts';

/** A path as a shell word: as it is when it is plain, else in single quotes. */
const shellWord = (path: string) =>
  /^[\w./@%+=:,-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`;

/**
 * What a run changed of the record git keeps (dvc.lock and the `cache: false`
 * metrics and plots of dvc.yaml), against HEAD: the files, or an empty list.
 * Undefined outside a git work tree or without git.
 */
export async function uncommittedRecord(root: string): Promise<string[] | undefined> {
  const stages = await readDvcYaml(join(root, 'dvc.yaml'));
  return changedFromHead(gitTrackedRecord(stages), root);
}

/**
 * The block `npm start` prints when the run left its record uncommitted: the
 * files, and the command that commits them. Empty when there is nothing to say.
 */
export function formatRecordHint(files: string[] | undefined): string {
  if (!files || files.length === 0) return '';
  const words = files.map(shellWord).join(' ');
  return [
    '',
    'This run changed what git keeps of the pipeline (dvc.lock, the metrics and plots):',
    ...files.map((file) => `  ${file}`),
    'Commit them, with the change to the params, code or data that produced them:',
    `  git add ${words} && git commit -m "Record the pipeline run"`,
    '',
  ].join('\n');
}
