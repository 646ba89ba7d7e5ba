import type { CompiledContract } from '../src/contract/contract.ts';
import { loadDataset } from '../src/data/rows.ts';
import type { ReferenceProfile } from '@housing/model-card/schema';
import { profileCategorical, profileNumeric } from '../src/drift/profile.ts';

/** The reference profile of a CSV on 10 bins, as training writes it into a card. */
export async function profileCsv(
  file: string,
  contract: CompiledContract,
): Promise<ReferenceProfile> {
  const data = await loadDataset(file, contract);
  return {
    rows: data.rows,
    bins: 10,
    columns: {
      ...Object.fromEntries(
        contract.columns.numeric.map((c) => [c, profileNumeric(data.numeric[c]!, 10)]),
      ),
      ...Object.fromEntries(
        contract.columns.categorical.map(({ name, categories }) => [
          name,
          profileCategorical(data.categorical[name]!, categories),
        ]),
      ),
    },
  };
}
