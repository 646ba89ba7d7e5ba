import { createHash } from 'node:crypto';

/** A release as the fake keeps it: its assets with their contents. */
export interface FakeRelease {
  id: number;
  tag_name: string;
  draft: boolean;
  prerelease: boolean;
  created_at: string;
  name?: string;
  body?: string;
  target_commitish?: string;
  /** Text as a test seeds it, or the bytes an upload sent (an ONNX graph is binary). */
  assets: { id: number; name: string; content: string | Uint8Array }[];
}

/** A call the fake received. */
export interface RecordedCall {
  method: string;
  /** The path, percent-decoded, without the query. */
  path: string;
  body?: unknown;
}

/** A comment on an issue or pull request. */
export interface FakeComment {
  id: number;
  body: string;
  user: { login: string };
}

/** A pull request as the fake keeps it. */
export interface FakePull {
  number: number;
  title: string;
  head: string;
  base: string;
  body: string;
  state: 'open' | 'closed';
}

/** A deployment: the request that created it, and the statuses posted to it in order. */
export interface FakeDeployment {
  id: number;
  request: Record<string, unknown>;
  statuses: Record<string, unknown>[];
}

/** A workflow_dispatch GitHub accepted: which workflow, on which ref, with which inputs. */
export interface FakeWorkflowDispatch {
  workflow: string;
  ref: string;
  inputs: Record<string, unknown>;
}

/**
 * An artifact attestation as the fake keeps it: the subjects (name and
 * sha256) and predicate type of the bundle, and the workflow that made it.
 */
export interface FakeAttestation {
  id: number;
  /** owner/repo of the request's path. */
  repository: string;
  predicateType: string;
  subjects: { name: string; digest: { sha256: string } }[];
  /** The workflow file and ref that attested (the certificate's identity on GitHub). */
  workflow: string;
}

/** An environment: its required reviewers (logins; none means no review) and its own secrets and variables. */
export interface FakeEnvironment {
  name: string;
  reviewers: string[];
  secrets: string[];
  variables: Record<string, string>;
}

/** A self-hosted runner as Settings → Actions → Runners lists it. */
export interface FakeRunner {
  name: string;
  status: 'online' | 'offline';
  /** Its labels besides the read-only ones every runner gets (self-hosted, the OS, the architecture). */
  labels: string[];
  /** The runner application's version; unset until it first connects. */
  version?: string;
}

/**
 * The repository's settings that a fork makes by hand (what `npm run doctor`
 * reads): empty, as a new fork's are.
 */
export interface FakeSettings {
  private: boolean;
  environments: FakeEnvironment[];
  /** Repository secrets, by name (GitHub never answers their values). */
  secrets: string[];
  variables: Record<string, string>;
  /** The organization's secrets and variables shared with this repository. */
  orgSecrets: string[];
  orgVariables: Record<string, string>;
  /** Settings → Actions → General → "Allow GitHub Actions to create and approve pull requests". */
  canApprovePullRequests: boolean;
  runners: FakeRunner[];
  /**
   * Paths (after /repos/{owner}/{repo}) answered 403, as GitHub answers a token
   * that lacks the permission to read them.
   */
  forbidden: string[];
}

/** Everything the fake knows; tests read and seed it. */
export interface FakeState {
  calls: RecordedCall[];
  releases: FakeRelease[];
  comments: Map<number, FakeComment[]>;
  /** Statuses to answer the next workflow dispatches with instead of 204 (a GitHub outage). */
  failDispatches: number[];
  /**
   * The workflows that run on workflow_dispatch, by file name, with the
   * inputs each declares (its `on.workflow_dispatch.inputs`); a test seeds it.
   */
  workflows: Map<string, Record<string, { required?: boolean }>>;
  /** workflow_dispatch requests GitHub accepted, in order. */
  workflowDispatches: FakeWorkflowDispatch[];
  /** The git side: branch -> commit, and each commit's files (path -> text). */
  git: {
    refs: Map<string, string>;
    commits: Map<string, Map<string, string>>;
    /** Each commit's parents (a seeded commit has none): what a fast-forward is checked on. */
    parents: Map<string, string[]>;
    /** Trees by sha, each the files it holds: every commit's, and those made through the API. */
    trees: Map<string, Map<string, string>>;
    /** Each commit's tree sha. */
    commitTrees: Map<string, string>;
    /** Each commit's message ('' for a seeded one). */
    messages: Map<string, string>;
    /** Blobs made through the API, by their git blob sha. */
    blobs: Map<string, string>;
  };
  pulls: FakePull[];
  deployments: FakeDeployment[];
  /** Artifact attestations stored, in order (actions/attest-build-provenance's effect). */
  attestations: FakeAttestation[];
  settings: FakeSettings;
  /** A fresh id for anything the fake creates. */
  nextId: () => number;
  /** Records a commit holding `files` on top of `parents` (none by default) and returns its sha. */
  commit: (files: Map<string, string>, parents?: string[], message?: string) => string;
}

/** Git's blob sha of a text, which the contents API answers and checks. */
export const blobSha = (text: string) =>
  createHash('sha1')
    .update(`blob ${Buffer.byteLength(text)}\0${text}`)
    .digest('hex');

/** A tree's sha: a hash of its paths and their blobs, so equal trees share one. */
export const treeSha = (files: Map<string, string>) =>
  createHash('sha1')
    .update(
      [...files]
        .map(([path, text]) => `${path}\0${blobSha(text)}`)
        .sort()
        .join('\n'),
    )
    .digest('hex');

/** An empty GitHub. */
export function createState(): FakeState {
  let id = 1000;
  let commits = 0;
  const git: FakeState['git'] = {
    refs: new Map(),
    commits: new Map(),
    parents: new Map(),
    trees: new Map(),
    commitTrees: new Map(),
    messages: new Map(),
    blobs: new Map(),
  };
  return {
    calls: [],
    releases: [],
    comments: new Map(),
    failDispatches: [],
    workflows: new Map(),
    workflowDispatches: [],
    git,
    pulls: [],
    deployments: [],
    attestations: [],
    settings: {
      private: false,
      environments: [],
      secrets: [],
      variables: {},
      orgSecrets: [],
      orgVariables: {},
      canApprovePullRequests: false,
      runners: [],
      forbidden: [],
    },
    nextId: () => id++,
    commit: (files, parents = [], message = '') => {
      const sha = createHash('sha1').update(`commit ${++commits}`).digest('hex');
      const tree = treeSha(files);
      git.commits.set(sha, files);
      git.parents.set(sha, parents);
      git.trees.set(tree, files);
      git.commitTrees.set(sha, tree);
      git.messages.set(sha, message);
      return sha;
    },
  };
}
