import { describe, expect, it } from 'vitest';
import { coerceCell } from '../src/data/rows.ts';
import { parsePlainDecimal } from '../src/data/decimal.ts';
import { createRng } from '../src/util/rng.ts';

describe('parsePlainDecimal', () => {
  it('gives exactly the double Number gives, on random decimals of up to 15 digits', () => {
    const rng = createRng(17);
    for (let k = 0; k < 200_000; k++) {
      const digits = 1 + Math.floor(rng() * 15);
      let text = '';
      for (let d = 0; d < digits; d++) text += String(Math.floor(rng() * 10));
      const point = Math.floor(rng() * (digits + 1));
      if (point > 0 && point < digits) text = `${text.slice(0, point)}.${text.slice(point)}`;
      if (rng() < 0.5) text = `-${text}`;
      expect(Object.is(parsePlainDecimal(text), Number(text)), text).toBe(true);
    }
  });

  it('gives the housing data’s kinds of values and -0 exactly', () => {
    for (const text of [
      '-122.23',
      '37.88',
      '41',
      '880',
      '8.3252',
      '452600',
      '0',
      '-0',
      '-0.0',
      '007',
      '0.1',
    ])
      expect(Object.is(parsePlainDecimal(text), Number(text)), text).toBe(true);
  });

  it('returns NaN for what it leaves to Number: exponents, signs, points at an end, too many digits, text', () => {
    for (const text of [
      '1e5',
      '+5',
      '.5',
      '5.',
      '1.2.3',
      '-',
      '',
      '0x10',
      'Infinity',
      'abc',
      '1234567890123456',
      '--1',
      ' 1',
    ])
      expect(parsePlainDecimal(text), text).toBeNaN();
  });
});

describe('coerceCell', () => {
  it('coerces what the fast path leaves to Number as before', () => {
    expect(coerceCell('1e5', true)).toBe(1e5);
    expect(coerceCell(' .5 ', true)).toBe(0.5);
    expect(coerceCell('12345678901234567', true)).toBe(Number('12345678901234567'));
    expect(coerceCell('Infinity', true)).toBe('Infinity');
    expect(coerceCell('abc', true)).toBe('abc');
    expect(coerceCell('  ', true)).toBeNull();
    expect(coerceCell('-122.23', true)).toBe(-122.23);
    expect(coerceCell('NEAR BAY', false)).toBe('NEAR BAY');
  });
});
