import { ConfigurationError } from '@housing/core/errors';
import type { GitHub } from './client.ts';

type Repo = { owner: string; repo: string };

/** The text and blob sha of `file` on `ref`. */
export async function readFileOn(
  github: GitHub,
  repo: Repo,
  file: string,
  ref: string,
): Promise<{ text: string; sha: string }> {
  const { data } = await github.rest.repos.getContent({ ...repo, path: file, ref });
  if (Array.isArray(data) || data.type !== 'file')
    throw new ConfigurationError(`is not a file on ${ref}`, file);
  return { text: Buffer.from(data.content, 'base64').toString('utf8'), sha: data.sha };
}
