import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { describeSchemaError, schemaProblemLines } from '@housing/core/schema-errors';

const validate = new Ajv({ allErrors: true }).compile({
  type: 'object',
  required: ['version', 'kind'],
  additionalProperties: false,
  properties: {
    version: { const: '4' },
    kind: { enum: ['a', 'b'] },
    'odd/key': { type: 'number' },
    items: { type: 'array', items: { type: 'integer' } },
  },
});

/** The errors ajv reports for `value`. */
function errorsFor(value: unknown) {
  expect(validate(value)).toBe(false);
  return validate.errors ?? [];
}

describe('describeSchemaError', () => {
  it('names a missing or unexpected property by its own JSON Pointer', () => {
    const problems = errorsFor({ version: '4', extra: 1, 'odd/key': 'x' }).map((e) =>
      describeSchemaError(e),
    );
    expect(problems).toContainEqual({ path: '/kind', message: 'is required' });
    expect(problems).toContainEqual({ path: '/extra', message: 'is not allowed' });
    expect(problems).toContainEqual({ path: '/odd~1key', message: 'must be number' });
  });

  it('quotes allowed values, and can keep ajv wording for a missing property', () => {
    const errors = errorsFor({ version: '3', kind: 'c' });
    const problems = errors.map((e) => describeSchemaError(e));
    expect(problems).toContainEqual({
      path: '/version',
      message: 'must be equal to constant ("4")',
    });
    expect(problems).toContainEqual({ path: '/kind', message: 'must be one of "a", "b"' });
    const ajvWords = errorsFor({ version: '4' }).map((e) =>
      describeSchemaError(e, { locateProperty: false }),
    );
    expect(ajvWords).toContainEqual({ path: '', message: "must have required property 'kind'" });
  });
});

describe('schemaProblemLines', () => {
  it('lists at most max problems, with paths cut, then how many more', () => {
    const errors = errorsFor({ version: '4', kind: 'a', items: Array(30).fill(0.5) });
    const lines = schemaProblemLines(errors, { max: 5, maxPathChars: 7, root: '(root)' });
    expect(lines).toHaveLength(6);
    expect(lines[0]).toBe('/items/… (+1 characters) must be integer');
    expect(lines[5]).toBe('and 25 more problems');
    const root = schemaProblemLines(errorsFor(1), { max: 5, maxPathChars: 50, root: '(root)' });
    expect(root).toEqual(['(root) must be object']);
  });
});
