import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '@housing/test-support/root';
import {
  documented,
  jobPermissions,
  missingPermissions,
  permissionsNeeded,
  policyViolation,
  type JobPolicyFacts,
} from './policy.ts';
import { parseWorkflow, type Job, type Workflow } from './workflow.ts';

const FILES = ['pr.yml', 'ct.yml', 'deploy.yml', 'image.yml'] as const;
const text = (file: string) => readFileSync(join(ROOT, '.github/workflows', file), 'utf8');
const docs = documented();

/**
 * A job's environment and queue as written: the workflows name both as
 * literals (an expression here would need a run to evaluate, which the walk does).
 */
function facts(job: Job): JobPolicyFacts {
  const block = job.concurrency;
  const environment = typeof job.environment === 'string' ? job.environment : job.environment?.name;
  return {
    ...(environment === undefined ? {} : { environment }),
    ...(block === undefined
      ? {}
      : typeof block === 'string'
        ? { group: block, cancelInProgress: false }
        : { group: block.group, cancelInProgress: block['cancel-in-progress'] === true }),
    promotesToStaging: job.steps.some(
      (s) => s.uses === './actions/promote' && s.with?.environment === 'staging',
    ),
  };
}

/** Every job's violation (file:job: why), statically, over the committed files or a copy. */
const violations = (workflows: Workflow[]) =>
  workflows.flatMap((w) =>
    Object.entries(w.jobs).flatMap(([id, job]) => {
      const v = policyViolation(facts(job), docs);
      return v === null ? [] : [`${w.file}:${id}: ${v}`];
    }),
  );
const committed = () => FILES.map((f) => parseWorkflow(f, text(f)));
const withCopy = (file: string, from: string, to: string) => {
  const changed = text(file).replace(from, to);
  expect(changed).not.toBe(text(file));
  return FILES.map((f) => parseWorkflow(f, f === file ? changed : text(f)));
};

describe('the documented environments and queues (README "Run it on your GitHub")', () => {
  it('reads the environments and the queues README documents', () => {
    expect(docs.environments).toEqual(['staging', 'production']);
    expect(docs.deployQueue('production')).toBe('deploy-production');
    expect(docs.stagingPromotionQueue).toBe('promote-staging');
  });
  it('holds for every job of the committed workflows', () => {
    expect(violations(committed())).toEqual([]);
  });
  it('fails an environment README does not list', () => {
    expect(violations(withCopy('deploy.yml', 'name: production\n', 'name: prod\n'))).toEqual([
      'deploy.yml:production: environment "prod" is not one README "Run it on your GitHub" lists (staging, production)',
    ]);
  });
  it('fails a staging promotion outside the shared queue, and a deploy that cancels', () => {
    expect(
      violations(withCopy('image.yml', 'group: promote-staging', 'group: image-promote')),
    ).toEqual([
      'image.yml:image: concurrency group "image-promote" is not the documented queue "promote-staging"',
    ]);
    expect(
      violations(
        withCopy(
          'deploy.yml',
          'group: deploy-production\n      cancel-in-progress: false',
          'group: deploy-production\n      cancel-in-progress: true',
        ),
      ),
    ).toEqual([
      'deploy.yml:production: concurrency group "deploy-production" must not cancel in progress (a deploy or promotion cut short)',
    ]);
  });
});

describe('permissions as GitHub grants them', () => {
  it('downgrades a fork’s pull request to read, without OIDC', () => {
    const declared = { contents: 'read', 'pull-requests': 'write', 'id-token': 'write' };
    expect(jobPermissions(declared, 'x', false)).toEqual(declared);
    expect(jobPermissions(declared, 'x', true)).toEqual({
      contents: 'read',
      'pull-requests': 'read',
      'id-token': 'none',
    });
    expect(() => jobPermissions(undefined, 'pr.yml:checks', false)).toThrow(
      /pr\.yml:checks: no permissions:/,
    );
  });
  it('names what a step needs that the job lacks, and nothing for another token', () => {
    const attest = permissionsNeeded(
      'actions/attest-build-provenance@a2bb',
      { 'push-to-registry': 'true' },
      'T',
    );
    expect(missingPermissions(attest, { 'id-token': 'write', packages: 'write' })).toEqual([
      'attestations: write',
    ]);
    expect(
      missingPermissions(permissionsNeeded('./actions/promote', { 'github-token': 'T' }, 'T'), {
        contents: 'write',
      }),
    ).toEqual(['pull-requests: write']);
    expect(permissionsNeeded('./actions/promote', { 'github-token': 'app' }, 'T')).toEqual({});
  });
});
