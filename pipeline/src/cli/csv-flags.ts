import { DEFAULT_CSV_LIMITS, MAX_CSV_LIMIT, type CsvLimits } from '../data/csv.ts';
import { numberFlag, type FlagSpec, type FlagSpecs } from '@housing/core/args';
import { ConfigurationError, quoteInput } from '@housing/core/errors';

/** `--data`, the CSV a command reads (params.yaml's data.path when absent); `description` says what for. */
export function dataFlag(description: string) {
  return {
    type: 'string',
    value: '<csv>',
    description,
    defaultText: 'params.yaml data.path',
  } as const satisfies FlagSpec;
}

/** The flags of every command that reads a CSV (validate, train, evaluate), for `parseFlags`. */
export const CSV_LIMIT_FLAGS = {
  'max-record-chars': {
    type: 'string',
    value: '<n>',
    description:
      'the longest record (one row, quoted newlines included) the reader accepts, in characters',
    defaultText: String(DEFAULT_CSV_LIMITS.maxRecordChars),
  },
  'max-header-chars': {
    type: 'string',
    value: '<n>',
    description: 'the longest header line the reader accepts, in characters',
    defaultText: String(DEFAULT_CSV_LIMITS.maxHeaderChars),
  },
} as const satisfies FlagSpecs;

/**
 * The reader's limits from those flags, each a whole number of characters from
 * 1 to {@link MAX_CSV_LIMIT} (the longest string the engine holds); defaults for the rest.
 */
export function csvLimitsFromFlags(flags: {
  'max-record-chars'?: string | undefined;
  'max-header-chars'?: string | undefined;
}): CsvLimits {
  const limit = (flag: keyof typeof CSV_LIMIT_FLAGS, fallback: number) => {
    const value = numberFlag(flags[flag], flag) ?? fallback;
    if (!Number.isSafeInteger(value) || value < 1 || value > MAX_CSV_LIMIT) {
      throw new ConfigurationError(
        `--${flag} must be a whole number of characters, at least 1 and at most ${MAX_CSV_LIMIT.toLocaleString('en-US')} (the longest string Node can hold); got ${quoteInput(flags[flag])}`,
      );
    }
    return value;
  };
  return {
    maxRecordChars: limit('max-record-chars', DEFAULT_CSV_LIMITS.maxRecordChars),
    maxHeaderChars: limit('max-header-chars', DEFAULT_CSV_LIMITS.maxHeaderChars),
  };
}
