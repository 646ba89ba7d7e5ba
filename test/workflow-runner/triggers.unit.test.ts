import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '@housing/test-support/root';
import {
  condition,
  evaluate,
  ExpressionError,
  interpolate,
  type ExpressionScope,
} from './expressions.ts';
import { globMatches, jobOrder, parseWorkflow, skipReason, type Trigger } from './workflow.ts';

const FILES = ['pr.yml', 'ct.yml', 'deploy.yml', 'image.yml'] as const;
const text = (file: string) => readFileSync(join(ROOT, '.github/workflows', file), 'utf8');
const workflows = () => FILES.map((f) => parseWorkflow(f, text(f)));
const started = (trigger: Trigger, all = workflows()) =>
  all.filter((w) => skipReason(w, trigger) === null).map((w) => w.file);
const push = (changed: string[]): Trigger => ({ event: 'push', branch: 'main', changed });

const scope = (contexts: ExpressionScope['contexts'], succeeded = true): ExpressionScope => ({
  contexts,
  succeeded,
  workspace: ROOT,
  where: 'test.yml:job:step',
});

describe('the walk’s expressions', () => {
  const github = {
    repository: 'Housing-Org/housing-mlops',
    ref: 'refs/heads/main',
    run_attempt: 2,
    event: { pull_request: { head: { repo: { full_name: 'other/housing-mlops' } } } },
  };
  it('compares strings ignoring case, as GitHub does, and reads missing properties as null', () => {
    expect(evaluate("github.ref == 'REFS/heads/main'", scope({ github }))).toBe(true);
    expect(evaluate("steps.model.outputs.release != ''", scope({ steps: {} }))).toBe(false);
    expect(
      evaluate(
        'github.event.pull_request.head.repo.full_name == github.repository',
        scope({ github }),
      ),
    ).toBe(false);
  });
  it('returns the operands of || and &&, and knows the functions the workflows use', () => {
    expect(evaluate("inputs.reason || 'none'", scope({ inputs: {} }))).toBe('none');
    expect(evaluate("format('{0}-{1}', 'a', 2)", scope({}))).toBe('a-2');
    expect(
      evaluate(
        "contains(github.repository, 'housing') && startsWith(github.ref, 'refs/')",
        scope({ github }),
      ),
    ).toBe(true);
    expect(evaluate("hashFiles('data.dvc')", scope({}))).toMatch(/^[0-9a-f]{64}$/);
    expect(evaluate("hashFiles('data.dvc')", scope({}))).toBe(
      evaluate("hashFiles('data.dvc')", scope({})),
    );
    expect(interpolate('candidate-${{ github.run_attempt }}', scope({ github }))).toBe(
      'candidate-2',
    );
  });
  it('adds success() to an if without a status function, as the runner does', () => {
    expect(condition("github.ref == 'refs/heads/main'", scope({ github }, false))).toBe(false);
    expect(condition('always()', scope({}, false))).toBe(true);
    expect(condition(undefined, scope({}, true))).toBe(true);
  });
  it('throws on syntax and functions it does not emulate, naming the file, job and step', () => {
    expect(() => evaluate('fromJSON(inputs.alerts)', scope({ inputs: {} }))).toThrow(
      /test\.yml:job:step: unknown function fromJSON/,
    );
    expect(() => evaluate('github.ref > 1', scope({ github }))).toThrow(ExpressionError);
    expect(() => evaluate('matrix.os', scope({}))).toThrow(/unknown context "matrix"/);
  });
});

describe('which workflows an event starts (the on: filters of the committed files)', () => {
  it('matches paths as GitHub does', () => {
    expect(globMatches('service/**', 'service/src/app.ts')).toBe(true);
    expect(globMatches('**/package.json', 'package.json')).toBe(true);
    expect(globMatches('deploy/*.yml', 'deploy/x/staging.yml')).toBe(false);
  });
  it('a service-only push starts image.yml and not ct.yml; params.yaml starts ct.yml only', () => {
    expect(started(push(['service/src/app.ts']))).toEqual(['image.yml']);
    expect(started(push(['params.yaml']))).toEqual(['ct.yml']);
    expect(started(push(['deploy/staging.yml']))).toEqual(['deploy.yml']);
    expect(started({ event: 'pull_request', branch: 'main', changed: ['README.md'] })).toEqual([
      'pr.yml',
    ]);
    expect(
      started({ event: 'workflow_dispatch', branch: 'main', changed: [], dispatched: 'ct.yml' }),
    ).toEqual(['ct.yml']);
  });
  it('fails when image.yml stops watching the service (a service-only change that builds nothing)', () => {
    // The defect of part 1, reintroduced in memory: image.yml without service/**.
    const broken = text('image.yml').replace("      - 'service/**'\n", '');
    expect(broken).not.toBe(text('image.yml'));
    const all = workflows().map((w) =>
      w.file === 'image.yml' ? parseWorkflow('image.yml', broken) : w,
    );
    expect(started(push(['service/src/app.ts']), all)).toEqual([]);
  });
  it('orders jobs by needs', () => {
    expect(jobOrder(parseWorkflow('ct.yml', text('ct.yml')))).toEqual([
      'validate',
      'retrain',
      'release',
    ]);
    expect(jobOrder(parseWorkflow('deploy.yml', text('deploy.yml')))).toEqual([
      'changes',
      'staging',
      'production',
    ]);
  });
});
