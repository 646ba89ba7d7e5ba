import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileContract, describeRowErrors, type DataContract } from '../src/contract/contract.ts';
import { ConfigurationError } from '@housing/core/errors';
import { ROOT } from './helpers.ts';

const housing = async (): Promise<DataContract> =>
  JSON.parse(
    await readFile(join(ROOT, 'pipeline/contract/housing.contract.json'), 'utf8'),
  ) as DataContract;

describe('data contract: no regular expressions', () => {
  // '^(a|a)*$' backtracks exponentially on 'aaaa…!' (a CSV cell can be a
  // MiB): one row could stall validation for ever. Columns are numbers or
  // string enums, which need no pattern, so a contract that has one is refused.
  for (const [where, patch] of [
    [
      'row.properties.ocean_proximity.pattern',
      (c: DataContract) =>
        Object.assign(c.row.properties.ocean_proximity!, { pattern: '^(a|a)*$' }),
    ],
    [
      'row.patternProperties',
      (c: DataContract) => Object.assign(c.row, { patternProperties: { '^(x+x+)+y$': {} } }),
    ],
    [
      'row.propertyNames.pattern',
      (c: DataContract) => Object.assign(c.row, { propertyNames: { pattern: '^(a+)+$' } }),
    ],
  ] as const) {
    it(`refuses ${where}, naming it`, async () => {
      const contract = await housing();
      patch(contract);
      let caught: unknown;
      try {
        compileContract(contract, 'housing.contract.json');
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(ConfigurationError);
      expect((caught as Error).message).toContain(`housing.contract.json: ${where}`);
    });
  }

  it("accepts a column named 'pattern' (a name, not the keyword)", async () => {
    const contract = await housing();
    contract.row.properties.pattern = { type: 'number' };
    contract.row.required.push('pattern');
    expect(compileContract(contract).columns.numeric).toContain('pattern');
  });

  it("still compiles the project's contract", async () => {
    expect(compileContract(await housing()).columns.categorical[0]!.name).toBe('ocean_proximity');
  });
});

describe('data contract: a row error quotes a bounded part of a huge enum', () => {
  it('an enum of 100,000 values gives a message of at most a few hundred characters', async () => {
    const contract = await housing();
    const categories = Array.from({ length: 100_000 }, (_, i) => `CATEGORY_${i}`);
    contract.row.properties.ocean_proximity!.enum = categories;
    const { validateRow } = compileContract(contract);
    const row = { ocean_proximity: 'NOT_ONE' };
    expect(validateRow(row)).toBe(false);
    const errors = describeRowErrors(validateRow.errors, row).filter(
      (e) => e.column === 'ocean_proximity',
    );
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message.length).toBeLessThan(1000);
    expect(errors[0]!.message).toMatch(/CATEGORY_0.*99,99\d more/);
  });
});
