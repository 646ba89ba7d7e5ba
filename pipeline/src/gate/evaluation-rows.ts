import type { ModelCard } from '@housing/model-card/schema';
import { ConfigurationError } from '@housing/core/errors';
import { dataProvenance } from '../card/provenance.ts';
import type { CompiledContract } from '../contract/contract.ts';
import type { CsvLimits } from '../data/csv.ts';
import { loadDataset, type Dataset } from '../data/rows.ts';
import { heldOutTestRows } from '../data/split.ts';

/** The rows a card's metrics were measured on, read again from their file. */
export interface EvaluationRows {
  data: Dataset;
  path: string;
  split: 'test' | 'all';
  /** The split's seed (the card's `params.seed`), for messages. */
  seed: number;
}

/**
 * The very rows the evaluate stage scored the card's model on: the file its
 * `evaluation_data` names, checked to be the same data (its md5, taken as
 * evaluate took it), and of it the held-out test split that the card's own
 * seed and shares give (`split: 'test'`; the split is by content, so the
 * same file gives the same rows), or every row (`split: 'all'`). A card
 * without `evaluation_data`, a file that changed, or a split that does not
 * give the card's row count is a ConfigurationError: any other rows would
 * not be the candidate's.
 */
export async function evaluationRows(
  card: ModelCard,
  cardPath: string,
  contract: CompiledContract,
  limits?: Readonly<CsvLimits>,
): Promise<EvaluationRows> {
  const evaluation = card.evaluation_data;
  if (!evaluation)
    throw new ConfigurationError(
      'has no /evaluation_data, so the rows its metrics were measured on are unknown: evaluate the model again',
      cardPath,
    );
  const { path, split } = evaluation;
  const all = await loadDataset(path, contract, limits);
  const { md5 } = await dataProvenance(path, all.rows);
  if (md5 !== evaluation.md5)
    throw new ConfigurationError(
      `${path} is not the data the model was evaluated on: its md5 is ${md5}, the card's /evaluation_data/md5 is ${evaluation.md5}`,
      cardPath,
    );
  const { seed } = card.params;
  const data = split === 'all' ? all : heldOutTestRows(all, seed, card.params.split);
  if (data.rows !== evaluation.rows)
    throw new ConfigurationError(
      `the ${split === 'all' ? 'file' : `test split (seed ${seed})`} of ${path} has ${data.rows} rows, the card's /evaluation_data/rows says ${evaluation.rows}`,
      cardPath,
    );
  return { data, path, split, seed };
}
