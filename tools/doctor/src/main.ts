import { parseFlags, type CommandHelp } from '@housing/core/args';
import { ConfigurationError } from '@housing/core/errors';
import { EnvReader } from '@housing/core/env';
import { runCli } from '@housing/core/run-cli';
import { settingsSections } from './checks.ts';
import { checkAccess, gitHub, webUrlOf, type Target } from './github.ts';
import { remoteSection } from './remote.ts';
import { formatReport } from './report.ts';
import { VARIABLES } from './requirements.ts';
import { readSnapshot } from './snapshot.ts';

const HELP: CommandHelp = {
  command: 'npm run doctor',
  summary: [
    'Checks a repository\'s GitHub setup for these workflows (README.md, "Run it on your',
    'GitHub"): the environments staging and production and production\'s required',
    'reviewers, whether Actions may open pull requests (or an App is set), the variables',
    'and secrets by name, online self-hosted runners labelled staging and production at',
    'a runner version that runs node24 actions, and whether the DVC remote answers with',
    "this shell's credentials. The token comes from GITHUB_TOKEN or GH_TOKEN (e.g.",
    '$(gh auth token)) and is never printed; GITHUB_API_URL points at GitHub Enterprise.',
    'Exit 0 when everything required is set, 1 when something is missing, 2 on bad flags,',
    'a missing token or one GitHub refuses.',
  ].join('\n'),
};

/** owner/name as GitHub allows them. */
const REPO = /^([A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)\/([A-Za-z0-9._-]+)$/;

function parseRepo(value: string | undefined): { owner: string; repo: string } {
  if (value === undefined)
    throw new ConfigurationError('required: the repository to check, as owner/name', '--repo');
  const match = REPO.exec(value);
  if (!match || match[2] === '.' || match[2] === '..')
    throw new ConfigurationError(`expected owner/name, got '${value}'`, '--repo');
  return { owner: match[1]!, repo: match[2]! };
}

/** The token and the API, from the environment: every problem at once, the token never echoed. */
function readEnvironment(): { token: string; tokenVariable: string; apiUrl: string } {
  const env = new EnvReader();
  const github = env.secret('GITHUB_TOKEN', { required: false, file: false });
  const gh = github ? '' : env.secret('GH_TOKEN', { required: false, file: false });
  if (!github && !gh && env.problems.length === 0)
    env.problem('GITHUB_TOKEN (or GH_TOKEN) is required: e.g. GITHUB_TOKEN=$(gh auth token)');
  const apiUrl = env.baseUrl('GITHUB_API_URL', 'https://api.github.com');
  env.finish();
  return { token: github || gh, tokenVariable: github ? 'GITHUB_TOKEN' : 'GH_TOKEN', apiUrl };
}

/** `npm run doctor -- --repo owner/name`: prints each check, exits 1 when one is missing. */
runCli(async (argv) => {
  const flags = parseFlags(
    argv,
    {
      repo: { type: 'string', value: '<owner/name>', description: 'the repository to check' },
      remote: {
        type: 'string',
        value: '<url>',
        description: 'the DVC remote to ask for data.dvc (s3://, http(s):// or a folder)',
        defaultText: `DVC_REMOTE_URL here, else the repository variable ${VARIABLES.remoteUrl}`,
      },
      endpoint: {
        type: 'string',
        value: '<url>',
        description: "an S3-compatible endpoint for --remote's s3:// url",
        defaultText: `DVC_REMOTE_ENDPOINT here, else the repository variable ${VARIABLES.remoteEndpoint}`,
      },
    },
    HELP,
  );
  const { owner, repo } = parseRepo(flags.repo);
  const { token, tokenVariable, apiUrl } = readEnvironment();
  const target: Target = { owner, repo, apiUrl, webUrl: webUrlOf(apiUrl), tokenVariable };
  const gh = gitHub(token, apiUrl);
  const access = await checkAccess(gh, target);
  const snapshot = await readSnapshot(gh, target, access);

  const variables =
    snapshot.variables instanceof Map ? snapshot.variables : new Map<string, string>();
  const given = flags.remote ?? process.env.DVC_REMOTE_URL;
  const remote = given
    ? {
        url: given,
        endpoint: flags.endpoint ?? process.env.DVC_REMOTE_ENDPOINT,
        source: flags.remote ? '--remote' : 'DVC_REMOTE_URL here',
      }
    : {
        url: variables.get(VARIABLES.remoteUrl),
        endpoint: flags.endpoint ?? variables.get(VARIABLES.remoteEndpoint),
        source: `the repository variable ${VARIABLES.remoteUrl}`,
      };
  const sections = [
    ...settingsSections(snapshot, target),
    await remoteSection({ root: process.cwd(), ...remote }),
  ];
  const report = formatReport(`npm run doctor: ${owner}/${repo} (${apiUrl})`, sections);
  process.stdout.write(report.text);
  return report.missing > 0 ? 1 : 0;
});
