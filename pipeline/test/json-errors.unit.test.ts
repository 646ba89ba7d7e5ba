import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readMetricsOrCard } from '@housing/model-card/metrics';
import { readStageJson } from '../src/params/stage-config.ts';
import { loadContract } from '../src/contract/contract.ts';
import { ConfigurationError } from '@housing/core/errors';
import { tempDir } from './helpers.ts';

/** JSON broken on line 3 (a trailing comma before the closing brace). */
const BROKEN = '{\n  "target": "y",\n  }\n';

async function failure(read: (file: string) => Promise<unknown>): Promise<Error> {
  const file = join(await tempDir('json-errors-'), 'broken.json');
  await writeFile(file, BROKEN);
  try {
    await read(file);
  } catch (error) {
    return error as Error;
  }
  throw new Error('read a broken file');
}

describe('a JSON file with a syntax error is named at file:line:column', () => {
  // The message said only "not valid JSON: ... at position 22" (or nothing
  // at all): a position in characters that no editor shows.
  for (const [what, read] of [
    ['the data contract', loadContract],
    ['a metrics file or card (the gate)', readMetricsOrCard],
    ["a stage's JSON output", (file: string) => readStageJson(file, 'the train stage')],
  ] as const) {
    it(what, async () => {
      const error = await failure(read);
      expect(error).toBeInstanceOf(ConfigurationError);
      expect(error.message).toMatch(/broken\.json:3:3: .*not valid JSON/);
    });
  }

  it('JSON cut short is named at its last line', async () => {
    const file = join(await tempDir('json-errors-'), 'short.json');
    await writeFile(file, '{\n  "target": "y",\n  "row": {');
    await expect(loadContract(file)).rejects.toThrow(/short\.json:3:\d+: .*not valid JSON/);
  });
});
