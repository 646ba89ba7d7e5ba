// A stand-in for the GitHub CLI on a self-hosted runner, for the deploy tests
// (no Sigstore or attestation API answers here). It records every call, with
// whether GH_TOKEN reached it, and answers `gh attestation verify
// oci://<image> --repo <owner/repo>` as gh does: exit 0 when the image is
// one FAKE_GH_ATTESTED lists for that repository, else exit 1 with gh's
// message, and `gh --version` (FAKE_GH_VERSION). Anything else it is asked is
// an error: the deploy runs only those.
//
//   FAKE_GH_DIR       where it keeps calls.jsonl
//   FAKE_GH_ATTESTED  JSON: the images (name@sha256:...) with a valid attestation
//   FAKE_GH_TOKEN     the token gh must be given in GH_TOKEN
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';

const env = process.env;
const args = process.argv.slice(2);
appendFileSync(
  join(env.FAKE_GH_DIR, 'calls.jsonl'),
  `${JSON.stringify({ args, token: env.GH_TOKEN === env.FAKE_GH_TOKEN })}\n`,
);
const fail = (message) => {
  process.stderr.write(`${message}\n`);
  process.exit(1);
};
if (args[0] === '--version') {
  // FAKE_GH_VERSION: which gh this runner has (default: one past CVE-2025-25204's fix).
  process.stdout.write(
    `gh version ${env.FAKE_GH_VERSION ?? '2.83.1'} (2025-11-13)\nhttps://github.com/cli/cli/releases/tag/v${env.FAKE_GH_VERSION ?? '2.83.1'}\n`,
  );
  process.exit(0);
}
if (args[0] !== 'attestation' || args[1] !== 'verify')
  fail(`fake gh: only attestation verify is supported, got ${args.join(' ')}`);
if (env.GH_TOKEN !== env.FAKE_GH_TOKEN)
  fail('To get started with GitHub CLI, please run:  gh auth login (GH_TOKEN is not the token)');
const target = args[2] ?? '';
const repo = args[args.indexOf('--repo') + 1];
if (!target.startsWith('oci://') || !repo)
  fail('fake gh: expected oci://<image> --repo <owner/repo>');
const image = target.slice('oci://'.length);
const digest = image.slice(image.lastIndexOf('@') + 1);
process.stderr.write(`Loaded digest ${digest} for ${target}\n`);
if (!JSON.parse(env.FAKE_GH_ATTESTED ?? '[]').includes(image))
  fail(`Error: failed to fetch attestations for subject: ${digest}`);
process.stdout.write(
  `✓ Verification succeeded!\n\n${digest} was attested by:\nREPO  PREDICATE_TYPE  WORKFLOW\n${repo}  https://slsa.dev/provenance/v1  .github/workflows/ct.yml@refs/heads/main\n`,
);
