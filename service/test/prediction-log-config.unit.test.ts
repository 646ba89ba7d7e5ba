import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_LOG_DIR, parseConfig, usage } from '../src/config.ts';

/** The prediction log's and feedback's variables, as parseConfig reads them. */
const dir = mkdtempSync(join(tmpdir(), 'prediction-log-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const problemWith = (env: Record<string, string>): string => {
  try {
    parseConfig(env, undefined);
    return '';
  } catch (error) {
    return (error as Error).message;
  }
};

describe('the prediction log configuration', () => {
  it('is on by default, embedded under var/, with every limit at its default', () => {
    expect(parseConfig({}, undefined).predictionLog).toEqual({
      databaseUrl: undefined,
      dir: DEFAULT_LOG_DIR,
      inputs: true,
      queueRows: 100_000,
      batchRows: 1000,
      flushIntervalMs: 1000,
      retentionDays: 90,
    });
    expect(DEFAULT_LOG_DIR).toBe('var/prediction-log');
    expect(parseConfig({ PREDICTION_LOG: 'off' }, undefined).predictionLog).toBeUndefined();
  });

  it('reads DATABASE_URL from DATABASE_URL_FILE (a Compose secret), trimmed', () => {
    const file = join(dir, 'database_url');
    writeFileSync(file, 'postgres://app:pw@db:5432/predictions\n');
    const config = parseConfig({ DATABASE_URL_FILE: file }, undefined);
    expect(config.predictionLog?.databaseUrl).toBe('postgres://app:pw@db:5432/predictions');
    expect(problemWith({ DATABASE_URL_FILE: file, DATABASE_URL: 'postgres://x@y/z' })).toMatch(
      /DATABASE_URL and DATABASE_URL_FILE are both set/,
    );
  });

  it('refuses a batch larger than the queue, and a URL that is not PostgreSQL, never echoing it', () => {
    expect(
      problemWith({ PREDICTION_LOG_QUEUE_ROWS: '10', PREDICTION_LOG_BATCH_ROWS: '100' }),
    ).toMatch(/PREDICTION_LOG_BATCH_ROWS="100": must be at most PREDICTION_LOG_QUEUE_ROWS \(10\)/);
    const message = problemWith({ DATABASE_URL: 'not a url with secret-pw' });
    expect(message).toMatch(/DATABASE_URL: /);
    expect(message).not.toContain('secret-pw');
  });
});

describe('FEEDBACK_TOKEN', () => {
  const admin = 'admin-token-0123456789';

  it('is read from FEEDBACK_TOKEN_FILE, and refused when it equals the admin token', () => {
    const file = join(dir, 'feedback_token');
    writeFileSync(file, 'feedback-token-0123456789\n');
    expect(parseConfig({ FEEDBACK_TOKEN_FILE: file }, undefined).feedbackToken).toBe(
      'feedback-token-0123456789',
    );
    expect(parseConfig({}, undefined).feedbackToken).toBeUndefined();
    const same = problemWith({ ADMIN_TOKEN: admin, FEEDBACK_TOKEN: admin });
    expect(same).toMatch(/FEEDBACK_TOKEN: must differ from ADMIN_TOKEN/);
    expect(same).not.toContain(admin);
    expect(problemWith({ FEEDBACK_TOKEN: 'short' })).toMatch(
      /FEEDBACK_TOKEN: must be at least 16 characters/,
    );
  });

  it('--help lists every new variable', () => {
    const help = usage();
    for (const name of [
      'FEEDBACK_TOKEN',
      'FEEDBACK_TOKEN_FILE',
      'PREDICTION_LOG',
      'PREDICTION_LOG_INPUTS',
      'DATABASE_URL',
      'DATABASE_URL_FILE',
      'PREDICTION_LOG_DIR',
      'PREDICTION_LOG_QUEUE_ROWS',
      'PREDICTION_LOG_BATCH_ROWS',
      'PREDICTION_LOG_FLUSH_MS',
      'PREDICTION_LOG_RETENTION_DAYS',
    ])
      expect(help).toMatch(new RegExp(`^ {2}${name} `, 'm'));
  });
});
