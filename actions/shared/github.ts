import { ConfigurationError } from '@housing/core/errors';

/** The repository the workflow runs in, from GITHUB_REPOSITORY. */
export function currentRepo(env = process.env): { owner: string; repo: string } {
  const [owner, repo] = (env.GITHUB_REPOSITORY ?? '').split('/');
  if (!owner || !repo) throw new ConfigurationError('GITHUB_REPOSITORY is not owner/repo');
  return { owner, repo };
}

/**
 * A minimal client for GitHub's REST API: the few endpoints the actions use,
 * with the token, the API version header, errors that say what failed, and
 * Link-header pagination. GITHUB_API_URL points it at GitHub Enterprise, or
 * at a loopback fake in the tests.
 */
export class GitHubClient {
  constructor(
    private readonly token: string,
    private readonly baseUrl = process.env.GITHUB_API_URL ?? 'https://api.github.com',
  ) {}

  /** One request; JSON in and out unless `accept` asks for something else. */
  async request(
    method: string,
    path: string,
    body?: unknown,
    accept = 'application/vnd.github+json',
  ): Promise<Response> {
    const url = path.startsWith('http') ? path : `${this.baseUrl}${path}`;
    const res = await fetch(url, {
      method,
      headers: {
        accept,
        authorization: `Bearer ${this.token}`,
        'x-github-api-version': '2022-11-28',
        'user-agent': 'housing-mlops-actions',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!res.ok) {
      const text = await res.text();
      throw new Error(`GitHub API ${method} ${path} answered ${res.status}: ${text.slice(0, 300)}`);
    }
    return res;
  }

  /**
   * Uploads bytes as a release asset. `uploadUrl` is the release's
   * `upload_url` (an RFC 6570 template ending in `{?name,label}`).
   */
  async uploadAsset<T>(
    uploadUrl: string,
    name: string,
    bytes: Uint8Array,
    contentType: string,
  ): Promise<T> {
    const url = `${uploadUrl.replace(/\{[^}]*\}$/, '')}?name=${encodeURIComponent(name)}`;
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        accept: 'application/vnd.github+json',
        authorization: `Bearer ${this.token}`,
        'x-github-api-version': '2022-11-28',
        'user-agent': 'housing-mlops-actions',
        'content-type': contentType,
      },
      body: bytes,
    });
    if (!res.ok)
      throw new Error(
        `GitHub upload of ${name} answered ${res.status}: ${(await res.text()).slice(0, 300)}`,
      );
    return (await res.json()) as T;
  }

  async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    return (await (await this.request(method, path, body)).json()) as T;
  }

  /** Every item of a list endpoint, following `Link: <...>; rel="next"`. */
  async paginate<T>(path: string): Promise<T[]> {
    const items: T[] = [];
    let next: string | undefined = `${path}${path.includes('?') ? '&' : '?'}per_page=100`;
    while (next) {
      const res = await this.request('GET', next);
      items.push(...((await res.json()) as T[]));
      next = /<([^>]+)>;\s*rel="next"/.exec(res.headers.get('link') ?? '')?.[1];
    }
    return items;
  }
}
