import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '@housing/core/errors';
import { parseParams } from '@housing/pipeline/params';
import { problemsFromError } from '../lint/src/checks/check.ts';

describe('lint annotations from ConfigurationError fields', () => {
  it('takes file, line and column from each problem', () => {
    const error = new ConfigurationError('two things are wrong', undefined, [
      { message: 'seed must be integer', file: 'params.yaml', line: 5, column: 7, path: '/seed' },
      { message: 'linear.l2 is required', file: 'params.yaml', line: 33 },
    ]);
    expect(problemsFromError(error, 'fallback.yaml', 'params.yaml')).toEqual([
      {
        file: 'params.yaml',
        line: 5,
        column: 7,
        message: 'seed must be integer',
        title: 'params.yaml',
      },
      { file: 'params.yaml', line: 33, message: 'linear.l2 is required', title: 'params.yaml' },
    ]);
  });

  it('takes a structured location given as the second argument', () => {
    const error = new ConfigurationError("stage 'x' must be a mapping", {
      file: 'dvc.yaml',
      line: 2,
    });
    expect(problemsFromError(error, 'dvc.yaml', 'dvc.yaml')).toEqual([
      { file: 'dvc.yaml', line: 2, message: "stage 'x' must be a mapping", title: 'dvc.yaml' },
    ]);
  });

  it('reads no location out of message text: a place given as text stays in the message', () => {
    const error = new ConfigurationError('other.yaml:9: looks located', 'dashboards');
    expect(problemsFromError(error, 'monitoring/grafana', 'dashboard JSON')).toEqual([
      {
        file: 'monitoring/grafana',
        message: 'dashboards: other.yaml:9: looks located',
        title: 'dashboard JSON',
      },
    ]);
  });

  it('throws anything that is not a ConfigurationError: a bug, not a finding', () => {
    const bug = new TypeError('params.yaml:3: undefined is not a function');
    expect(() => problemsFromError(bug, 'params.yaml', 'params.yaml')).toThrow(bug);
  });

  it('annotates every params.yaml problem at its line, as the pipeline reports them', () => {
    const text = 'seed: forty-two\nunknown_key: 1\n';
    const error = (() => {
      try {
        parseParams(text, 'params.yaml');
      } catch (e) {
        return e;
      }
      throw new Error('parseParams accepted a bad file');
    })();
    const problems = problemsFromError(error, 'params.yaml', 'params.yaml');
    expect(problems).toContainEqual({
      file: 'params.yaml',
      line: 1,
      message: 'seed must be integer',
      title: 'params.yaml',
    });
    expect(problems.every((p) => p.file === 'params.yaml')).toBe(true);
    expect(problems.length).toBeGreaterThan(1);
  });
});
