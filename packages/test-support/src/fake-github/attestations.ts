import { fail, send, type Route } from './http.ts';
import type { FakeAttestation } from './state.ts';

/** A subject digest as GitHub's attestations API takes it: `sha256:<64 hex>`. */
const DIGEST = /^sha256:[0-9a-f]{64}$/;

/**
 * Artifact attestations, as actions/attest-build-provenance stores them and
 * `gh attestation verify` lists them: POST /attestations with a Sigstore
 * bundle (201 and its id), GET /attestations/{subject_digest} (every bundle
 * for that digest, 404 when there is none). The fake keeps the bundle's
 * subjects and predicate type, not a signature: nothing here is signed.
 */
export const attestationRoutes: Route[] = [
  {
    method: 'POST',
    path: /^\/attestations$/,
    handle(x) {
      const request = x.body as { bundle?: Partial<Omit<FakeAttestation, 'id' | 'repository'>> };
      const bundle = request?.bundle;
      const subjects = bundle?.subjects;
      if (!Array.isArray(subjects) || subjects.length === 0)
        return fail(x.res, 422, 'Invalid request.\n\n"bundle" has no subject.');
      const bad = subjects.find((s) => !DIGEST.test(`sha256:${s?.digest?.sha256 ?? ''}`));
      if (bad)
        return fail(
          x.res,
          422,
          `Invalid request.\n\nsubject ${JSON.stringify(bad)}: no sha256 digest.`,
        );
      const attestation: FakeAttestation = {
        id: x.state.nextId(),
        repository: `${x.repo.owner}/${x.repo.repo}`,
        predicateType: String(bundle?.predicateType ?? ''),
        subjects,
        workflow: String(bundle?.workflow ?? ''),
      };
      x.state.attestations.push(attestation);
      send(x.res, 201, { id: attestation.id });
    },
  },
  {
    method: 'GET',
    path: /^\/attestations\/([^/]+)$/,
    handle(x, [, digest = '']) {
      const found = x.state.attestations.filter((a) =>
        a.subjects.some((s) => `sha256:${s.digest.sha256}` === digest),
      );
      if (found.length === 0) return fail(x.res, 404, 'Not Found');
      send(x.res, 200, { attestations: found.map((a) => ({ bundle: a, repository_id: 1 })) });
    },
  },
];
