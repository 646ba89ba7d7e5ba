import { rm, writeFile } from 'node:fs/promises';
import { isAbsolute, join, relative } from 'node:path';
import { CommandError, ConfigurationError } from '@housing/core/errors';
import type { Logger } from '@housing/core/logger';
import { readTextFile } from '@housing/core/read-text';
import {
  exportLabelledRows,
  labelCoverage,
  type LabelCoverage,
  type LabelledRow,
} from '@housing/prediction-store/export';
import { loadContract } from '../contract/contract.ts';
import { mapHeader, readCsv } from '../data/csv.ts';
import { resolveDriftReference } from '../drift/reference.ts';
import { parseDvcFile } from '../dvc/dvcfile.ts';
import { staysInside } from '../dvc/inside.ts';
import { pullData } from '../dvc/pull.ts';
import { loadParams } from '../params/params.ts';
import { runShell } from '../runner/run-stages.ts';
import { csvLines } from './csv-rows.ts';
import { commitVersion, dvcFileText, stageVersion, writeCacheObjects } from './data-version.ts';
import { pushObjects } from './push.ts';
import { checkBase, openRefreshPullRequest, type RefreshPullRequest } from './pull-request.ts';
import {
  advanceRecord,
  exportSince,
  formatExportRecord,
  readExportRecord,
  RECORD_FILE,
} from './record.ts';
import { checkRows, measureDrift, type RejectedRow } from './rows.ts';
import { checkStoreExists, describeStore, openStore, type StoreLocation } from './store.ts';
import { formatSummary, type RefreshSummary } from './summary.ts';

/** Options of {@link refreshData}. */
export interface RefreshOptions {
  /** The checkout: holds params.yaml, data.dvc, .dvc/ and the data. */
  root: string;
  /** params.yaml, relative to root. */
  params?: string;
  /** A model card whose reference profile drift is measured against (else params.yaml validate.reference). */
  reference?: string | undefined;
  store: StoreLocation;
  /** A remote of .dvc/config; its core.remote otherwise. */
  remote?: string | undefined;
  /** Pull and push with DVC itself (it is on PATH); else the built-in ones. */
  useDvc: boolean;
  /** Where to open the pull request; without it the new version stays in the checkout. */
  github?: { token: string; base?: string | undefined } | undefined;
  logger: Logger;
}

/** What a refresh did. */
export type RefreshResult =
  | { kind: 'nothing-new'; message: string }
  | { kind: 'all-rejected'; rejected: RejectedRow[]; message: string }
  | {
      kind: 'refreshed';
      md5: string;
      summary: RefreshSummary;
      body: string;
      pullRequest?: RefreshPullRequest;
    };

/** The `.dvc` file a refresh updates. */
const DVC_FILE = 'data.dvc';

/**
 * `npm run data:refresh`: production's labelled predictions back into the
 * versioned data. Exports the rows whose ground truth arrived since the
 * last export (the record inside the data says which), judges them against
 * the data contract, measures their drift against production, appends the
 * accepted ones to the data set as a new DVC version (cache, remote, then
 * data/ and data.dvc together), and opens or updates the one pull request
 * that changes data.dvc. Nothing new: says so, changes nothing.
 */
export async function refreshData(options: RefreshOptions): Promise<RefreshResult> {
  const { root, logger } = options;
  const paramsFile = join(root, options.params ?? 'params.yaml');
  const params = await loadParams(paramsFile);
  const inRoot = (path: string) => (isAbsolute(path) ? path : join(root, path));
  const contract = await loadContract(inRoot(params.data.contract));
  const dvcPath = join(root, DVC_FILE);
  const dvcText = await readTextFile(dvcPath, { what: 'DVC file' });
  const out = parseDvcFile(dvcText, dvcPath);
  if (!out.isDirectory)
    throw new ConfigurationError(
      `tracks a file; data:refresh appends to a tracked folder (dvc add data)`,
      dvcPath,
    );
  const dataDir = join(root, out.path);
  const csv = relative(dataDir, inRoot(params.data.path)).split('\\').join('/');
  if (!staysInside(csv))
    throw new ConfigurationError(
      `data.path ${params.data.path} is not inside ${out.path}/, which ${DVC_FILE} tracks`,
      paramsFile,
    );

  // A missing embedded store is a mistake to name before the pull downloads anything.
  await checkStoreExists(options.store);
  // Before anything is read or written: the pull request must be able to hold this change.
  const target = options.github
    ? await checkBase({
        token: options.github.token,
        base: options.github.base,
        expected: new Map([[DVC_FILE, dvcText]]),
      })
    : undefined;
  // The rows are appended to the version data.dvc names, so that version must be what data/ holds.
  if (options.useDvc) await runDvc(['pull', DVC_FILE], options, 'dvc pull of the base version');
  else await pullData({ root, logger, ...(options.remote ? { remote: options.remote } : {}) });

  const record = await readExportRecord(join(dataDir, RECORD_FILE));
  const since = exportSince(record);
  const store = describeStore(options.store);
  const db = await openStore(options.store);
  let labelled: LabelledRow[];
  let coverage: LabelCoverage;
  try {
    labelled = (await exportLabelledRows(db, since)).filter(
      (row) => !Object.hasOwn(record.ids, row.id),
    );
    coverage = await labelCoverage(db);
  } finally {
    await db.close();
  }
  if (labelled.length === 0) {
    const message = `no labelled rows in ${store} since the last export (${record.watermark ?? 'none yet'}): nothing to refresh, no pull request`;
    logger.info(message);
    return { kind: 'nothing-new', message };
  }

  const checked = checkRows(labelled, contract);
  for (const r of checked.rejected)
    logger.warn(`rejected prediction ${r.id}: ${r.reasons.join('; ')}`);
  if (checked.accepted.length === 0) {
    const message = `all ${labelled.length} labelled row(s) from ${store} break the data contract: nothing to refresh, no pull request`;
    logger.warn(message);
    return { kind: 'all-rejected', rejected: checked.rejected, message };
  }

  const reference = await resolveDriftReference({
    given:
      options.reference === undefined
        ? undefined
        : { path: options.reference, from: '--reference' },
    configured: { path: inRoot(params.validate.reference), from: 'params.yaml validate.reference' },
    columns: contract.columns,
  });
  const drift: RefreshSummary['drift'] = reference.profile
    ? {
        reference: reference.info.message,
        columns: measureDrift(
          checked.accepted,
          reference.profile,
          contract.columns.all,
          params.validate.drift,
        ),
      }
    : { skipped: reference.info.message };

  const { header, rows: rowsBefore } = await csvShape(join(dataDir, csv), contract.columns.all);
  const exported = new Map(labelled.map((row) => [row.id, row.receivedAt]));
  const version = await stageVersion({
    dataDir,
    names: { display: out.path, dvcFile: DVC_FILE },
    csv,
    append: csvLines(
      checked.accepted.map((a) => a.row),
      header,
    ),
    write: { path: RECORD_FILE, text: formatExportRecord(advanceRecord(record, exported)) },
  });
  logger.info(
    `staged the new version of ${out.path}/ (${version.md5}): ${checked.accepted.length} row(s) appended`,
  );
  const newDvcText = dvcFileText(dvcText, version, dvcPath);
  try {
    await writeCacheObjects(join(root, '.dvc'), version);
    await push(options, newDvcText, [...version.entries.map((e) => e.md5), version.md5]);
    await commitVersion(version, dataDir, dvcPath, newDvcText);
  } catch (error) {
    await rm(version.staging, { recursive: true, force: true });
    throw error;
  }
  logger.info(
    `${DVC_FILE} now names ${version.md5} (${version.size} bytes, ${version.nfiles} files)`,
  );

  const byModel: Record<string, number> = {};
  const accepted = new Set(checked.accepted.map((a) => a.id));
  for (const row of labelled)
    if (accepted.has(row.id)) byModel[row.modelVersion] = (byModel[row.modelVersion] ?? 0) + 1;
  const summary: RefreshSummary = {
    store,
    exported: labelled.length,
    added: checked.accepted.length,
    rejected: checked.rejected,
    drift,
    coverage,
    byModel,
    data: { before: out.md5, after: version.md5, rowsBefore },
  };
  const body = formatSummary(summary);
  const result: RefreshResult = { kind: 'refreshed', md5: version.md5, summary, body };
  if (target) {
    result.pullRequest = await openRefreshPullRequest(target, {
      files: new Map([[DVC_FILE, Buffer.from(newDvcText)]]),
      title: `Refresh the data: ${checked.accepted.length} labelled row(s) from production`,
      body,
    });
    logger.info(
      `${result.pullRequest.action} pull request #${result.pullRequest.number}: ${result.pullRequest.url}`,
    );
  } else logger.info(`GITHUB_TOKEN is not set: no pull request; commit ${DVC_FILE} yourself`);
  return result;
}

/** The CSV's header (its columns checked against the contract) and its number of data rows. */
async function csvShape(
  path: string,
  columns: string[],
): Promise<{ header: string[]; rows: number }> {
  let header: string[] | undefined;
  let rows = 0;
  for await (const record of readCsv(path)) {
    if (header) rows++;
    else {
      mapHeader(record.fields, columns, path);
      header = record.fields.map((f) => f.trim());
    }
  }
  if (!header) throw new ConfigurationError('the CSV is empty: no header', path);
  return { header, rows };
}

/**
 * The new version's objects to the remote: `dvc push` of a temporary `.dvc`
 * file naming the new version (data.dvc itself changes only after the push
 * succeeded) when DVC runs, else the built-in push.
 */
async function push(options: RefreshOptions, dvcText: string, objects: string[]): Promise<void> {
  if (!options.useDvc) {
    await pushObjects({
      root: options.root,
      remote: options.remote,
      objects,
      logger: options.logger,
    });
    return;
  }
  const temp = `.data-refresh-${process.pid}.dvc`;
  await writeFile(join(options.root, temp), dvcText);
  try {
    await runDvc(['push', temp], options, `dvc push (${DVC_FILE} and data/ are unchanged)`);
  } finally {
    await rm(join(options.root, temp), { force: true });
  }
}

/** Runs `dvc <args>` (with `--remote` when one is named) in the checkout; a failure is a CommandError. */
async function runDvc(args: string[], options: RefreshOptions, what: string): Promise<void> {
  const command = [
    'dvc',
    args[0]!,
    ...(options.remote ? ['--remote', options.remote] : []),
    ...args.slice(1),
  ];
  // Quoted for the shell: a remote's name is the user's text.
  const code = await runShell(
    command.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' '),
    options.root,
  );
  if (code !== 0) throw new CommandError(command, code, '', null, what);
}
