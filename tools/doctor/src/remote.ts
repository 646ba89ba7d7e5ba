import { errorMessage } from '@housing/core/errors';
import { probeRemote } from '@housing/pipeline/probe';
import { missing, none, ok, type Section } from './check.ts';

/** The remote to ask, and where its url came from (a flag, this shell, or the repository variable). */
export interface RemoteToProbe {
  root: string;
  url: string | undefined;
  endpoint: string | undefined;
  source: string;
}

const FIX =
  'give this shell the credentials the workflows get (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE; DVC_HTTP_USER and DVC_HTTP_PASSWORD), check the url and endpoint, and push the data once with dvc push (README.md, "A fork\'s data remote")';

/**
 * Whether the DVC remote answers with this shell's credentials: the pull's
 * own code asks it for the object data.dvc records, so a pass here is a
 * pull that would start, and a failure says what the pull would say.
 */
export async function remoteSection(remote: RemoteToProbe): Promise<Section> {
  const title = 'DVC remote';
  if (remote.url === undefined)
    return {
      title,
      checks: [
        none(
          'data.dvc on the remote',
          'not asked: no url (give --remote, or set DVC_REMOTE_URL here or on GitHub)',
        ),
      ],
    };
  const what = `data.dvc on ${remote.url}${remote.endpoint ? ` at ${remote.endpoint}` : ''} (${remote.source})`;
  try {
    const found = await probeRemote({
      root: remote.root,
      url: remote.url,
      ...(remote.endpoint ? { endpoint: remote.endpoint } : {}),
    });
    return { title, checks: [ok(what, `${found.location} answered`)] };
  } catch (error) {
    return { title, checks: [missing(what, errorMessage(error), FIX)] };
  }
}
