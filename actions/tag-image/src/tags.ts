// The one function, not the package's index, which loads all of semver.
import parse from 'semver/functions/parse.js';

/** What the tags depend on: the event, its ref and commit, and the model inside the image. */
export interface TagContext {
  eventName: string;
  /** GITHUB_REF: refs/heads/<branch>, refs/tags/<tag> or refs/pull/<n>/merge. */
  ref: string;
  sha: string;
  defaultBranch: string | undefined;
  pullRequestNumber: number | undefined;
  modelVersion: string | undefined;
}

/** Characters a Docker tag may hold; anything else becomes '-'. */
const sanitize = (s: string) =>
  s
    .replace(/[^\w.-]/g, '-')
    .replace(/^[.-]+/, '')
    .slice(0, 128);

/**
 * The image tags docker/metadata-action users expect, without the image name:
 * `sha-<7>` always; `model-<version>` when the image carries a model;
 * `1.2.3`, `1.2` and `1` for a semver git tag (the full version only, for a
 * pre-release); `pr-<n>` on pull requests; `latest` only for the default
 * branch. Order is stable and there are no duplicates.
 */
export function computeTags(ctx: TagContext): string[] {
  const tags: string[] = [];
  const tag = ctx.ref.startsWith('refs/tags/') ? ctx.ref.slice('refs/tags/'.length) : undefined;
  const branch = ctx.ref.startsWith('refs/heads/')
    ? ctx.ref.slice('refs/heads/'.length)
    : undefined;
  // A semver tag (v prefix optional), as metadata-action's type=semver reads it.
  const version = tag === undefined ? null : parse(tag);
  if (version) {
    const { major, minor, patch } = version;
    // `version` is major.minor.patch with its pre-release, without build metadata.
    if (version.prerelease.length > 0) tags.push(version.version);
    else tags.push(`${major}.${minor}.${patch}`, `${major}.${minor}`, String(major));
  } else if (tag !== undefined) tags.push(sanitize(tag));
  if (ctx.eventName.startsWith('pull_request') && ctx.pullRequestNumber !== undefined)
    tags.push(`pr-${ctx.pullRequestNumber}`);
  tags.push(`sha-${ctx.sha.slice(0, 7)}`);
  if (ctx.modelVersion) tags.push(`model-${sanitize(ctx.modelVersion)}`);
  if (branch !== undefined && branch === ctx.defaultBranch) tags.push('latest');
  return [...new Set(tags)];
}

/** What the OCI labels and annotations describe. */
export interface LabelContext {
  repositoryUrl: string;
  sha: string;
  created: string;
  /** The most specific tag: the version a person would quote. */
  version: string;
  modelVersion: string | undefined;
  dataMd5: string | undefined;
}

/**
 * OCI image labels (org.opencontainers.image.*) and this project's own:
 * the model version and the data md5 it was trained on.
 */
export function computeLabels(ctx: LabelContext): Record<string, string> {
  return {
    'org.opencontainers.image.source': ctx.repositoryUrl,
    'org.opencontainers.image.revision': ctx.sha,
    'org.opencontainers.image.created': ctx.created,
    'org.opencontainers.image.version': ctx.version,
    ...(ctx.modelVersion ? { 'io.housing-mlops.model.version': ctx.modelVersion } : {}),
    ...(ctx.dataMd5 ? { 'io.housing-mlops.data.md5': ctx.dataMd5 } : {}),
  };
}
