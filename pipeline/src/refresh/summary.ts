import type { ColumnDrift } from '@housing/model-card/drift';
import type { LabelCoverage } from '@housing/prediction-store/export';
import { markdownTable, STATUS_MARK } from '@housing/github/markdown';
import type { RejectedRow } from './rows.ts';

/** Everything the pull request's body says. */
export interface RefreshSummary {
  store: string;
  /** Labelled rows read since the last export (new ones only). */
  exported: number;
  added: number;
  rejected: RejectedRow[];
  /** Drift of the added rows, or why it was not measured. */
  drift: { columns: ColumnDrift[]; reference: string } | { skipped: string };
  coverage: LabelCoverage;
  /** Prediction counts by the model version that made them, of the added rows. */
  byModel: Record<string, number>;
  data: { before: string; after: string; rowsBefore: number };
}

/** Rejected rows listed one by one; the rest are counted by reason. */
const MAX_LISTED = 20;

/** The pull request's body in GitHub Markdown. */
export function formatSummary(s: RefreshSummary): string {
  const pct = (part: number, whole: number) =>
    whole === 0 ? 'n/a' : `${((100 * part) / whole).toFixed(1)}%`;
  const lines: string[] = [
    `**${s.added} labelled row(s) from production** enter the data set (${s.data.rowsBefore} → ${s.data.rowsBefore + s.added} rows). ` +
      `Merging this is the decision: pr.yml trains and gates on it, and ct.yml runs on main.`,
    '',
    markdownTable(
      ['', ''],
      [
        ['read from', s.store],
        ['labelled rows new since the last export', s.exported],
        ['added', s.added],
        ['rejected by the data contract', s.rejected.length],
        ['data.dvc', `\`${s.data.before}\` → \`${s.data.after}\``],
        ...Object.entries(s.byModel).map(([model, n]): [string, number] => [
          `predicted by ${model}`,
          n,
        ]),
      ],
    ),
    '',
    '### Label coverage',
    '',
    `${s.coverage.labelled} of ${s.coverage.predictions} predictions in the store have ground truth (${pct(s.coverage.labelled, s.coverage.predictions)}); ` +
      `${s.coverage.labelledWithoutInput} of those were logged without their input and cannot become training data.`,
    '',
    '### Drift of the added rows against production',
    '',
  ];
  if ('skipped' in s.drift) lines.push(`Not measured: ${s.drift.skipped}.`);
  else
    lines.push(
      `Against ${s.drift.reference}. Reported, never blocking: drift is why a retrain is worth it.`,
      '',
      markdownTable(
        ['column', 'metric', 'value', 'status'],
        s.drift.columns.map((d) => [d.column, d.metric, d.value.toFixed(4), STATUS_MARK[d.status]]),
      ),
    );
  lines.push('', '### Rejected rows', '');
  if (s.rejected.length === 0) lines.push('None: every row matches the data contract.');
  else {
    lines.push(
      markdownTable(
        ['prediction id', 'why'],
        s.rejected.slice(0, MAX_LISTED).map((r) => [`\`${r.id}\``, r.reasons.join('; ')]),
      ),
    );
    if (s.rejected.length > MAX_LISTED)
      lines.push('', `… and ${s.rejected.length - MAX_LISTED} more.`);
  }
  lines.push(
    '',
    '### What enters',
    '',
    'Only predictions that received ground truth through `POST /v1/feedback` (its own token) are here; ' +
      'a prediction request alone never becomes training data. Whoever holds the feedback token can still ' +
      'send false ground truth within the contract: review the counts and the drift above before merging.',
  );
  return `${lines.join('\n')}\n`;
}
