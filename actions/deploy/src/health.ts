import { Ajv2020 } from 'ajv/dist/2020.js';
import { schemaProblemLines } from '@housing/core/schema-errors';

/** Polls `<url>/readyz` until it answers 200, or throws after `timeoutMs`. */
export async function waitReady(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2000) });
      last = `${res.status} ${(await res.text()).trim().slice(0, 200)}`;
      if (res.ok) return;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url}/readyz was not ready within ${timeoutMs} ms (last: ${last})`);
}

/** What GET /v1/model says about the model being served. */
export interface ServedModel {
  model_version: string;
  input_contract: object;
}

export async function servedModel(url: string): Promise<ServedModel> {
  const res = await fetch(`${url}/v1/model`);
  if (!res.ok) throw new Error(`${url}/v1/model answered ${res.status}`);
  return (await res.json()) as ServedModel;
}

/**
 * A few real predictions: each row must fit the served model's own input
 * contract (so the smoke rows stay meaningful), answer 200, and give a
 * finite prediction within [min, max].
 */
export async function smokeTest(
  url: string,
  model: ServedModel,
  rows: Record<string, unknown>[],
  range: { min: number; max: number },
): Promise<string[]> {
  if (rows.length === 0) throw new Error('no smoke-test rows');
  const validate = new Ajv2020({ allErrors: true }).compile(model.input_contract);
  const results: string[] = [];
  for (const [i, row] of rows.entries()) {
    if (!validate(row))
      throw new Error(
        `smoke row ${i} does not fit the model's input contract: ${schemaProblemLines(validate.errors, { max: 20, maxPathChars: 200, root: '(row)' }).join('; ')}`,
      );
    const res = await fetch(`${url}/v1/predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(row),
    });
    const body = (await res.json()) as { prediction?: unknown; error?: string };
    if (res.status !== 200)
      throw new Error(`smoke row ${i}: /v1/predict answered ${res.status}: ${body.error ?? ''}`);
    const p = body.prediction;
    if (typeof p !== 'number' || !Number.isFinite(p) || p < range.min || p > range.max)
      throw new Error(
        `smoke row ${i}: prediction ${String(p)} is outside [${range.min}, ${range.max}]`,
      );
    results.push(`row ${i}: ${p.toFixed(0)}`);
  }
  return results;
}
