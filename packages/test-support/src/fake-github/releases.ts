import type { components } from '@octokit/openapi-types';
import { fail, notFound, page, send, type Exchange, type Route } from './http.ts';
import type { FakeRelease } from './state.ts';

type Schemas = components['schemas'];

/** A release as the REST API lists it: the fields the actions read, typed as GitHub's schema. */
export type ReleaseJson = Pick<
  Schemas['release'],
  | 'id'
  | 'tag_name'
  | 'name'
  | 'body'
  | 'draft'
  | 'prerelease'
  | 'created_at'
  | 'html_url'
  | 'upload_url'
> & {
  target_commitish?: string;
  assets: Pick<Schemas['release-asset'], 'id' | 'name' | 'size'>[];
};

const byteLength = (content: string | Uint8Array) =>
  typeof content === 'string' ? Buffer.byteLength(content) : content.length;

/** A release as the REST API shows it: asset metadata, not contents, and its URLs. */
function releaseJson(x: Exchange, r: FakeRelease): ReleaseJson {
  const { owner, repo } = x.repo;
  return {
    id: r.id,
    tag_name: r.tag_name,
    name: r.name ?? null,
    ...(r.body === undefined ? {} : { body: r.body }),
    ...(r.target_commitish === undefined ? {} : { target_commitish: r.target_commitish }),
    draft: r.draft,
    prerelease: r.prerelease,
    created_at: r.created_at,
    html_url: `https://github.com/${owner}/${repo}/releases/tag/${r.tag_name}`,
    // Uploads go to another host on GitHub; here, to /uploads on this one.
    upload_url: `${x.origin}/uploads/repos/${owner}/${repo}/releases/${r.id}/assets{?name,label}`,
    assets: r.assets.map(({ id, name, content }) => ({ id, name, size: byteLength(content) })),
  };
}

/** Releases: list (paged), create, upload an asset, and download one through a redirect. */
export const releaseRoutes: Route[] = [
  {
    method: 'GET',
    path: /^\/releases$/,
    handle: (x) =>
      page(
        x,
        x.state.releases.map((r) => releaseJson(x, r)),
      ),
  },
  {
    method: 'POST',
    path: /^\/releases$/,
    handle(x) {
      const create = x.body as {
        tag_name: string;
        name?: string;
        body?: string;
        target_commitish?: string;
      };
      if (x.state.releases.some((r) => r.tag_name === create.tag_name))
        return fail(x.res, 422, 'Validation Failed', [
          { resource: 'Release', code: 'already_exists', field: 'tag_name' },
        ]);
      const release: FakeRelease = {
        id: x.state.nextId(),
        tag_name: create.tag_name,
        ...(create.name === undefined ? {} : { name: create.name }),
        ...(create.body === undefined ? {} : { body: create.body }),
        ...(create.target_commitish === undefined
          ? {}
          : { target_commitish: create.target_commitish }),
        draft: false,
        prerelease: false,
        created_at: new Date().toISOString(),
        assets: [],
      };
      x.state.releases.unshift(release); // newest first, as GitHub lists them
      send(x.res, 201, releaseJson(x, release));
    },
  },
  {
    // uploads.github.com: POST /repos/{owner}/{repo}/releases/{id}/assets?name=
    method: 'POST',
    path: /^\/uploads\/repos\/[^/]+\/[^/]+\/releases\/(\d+)\/assets$/,
    absolute: true,
    handle(x, m) {
      const release = x.state.releases.find((r) => r.id === Number(m[1]));
      const name = x.url.searchParams.get('name');
      if (!release || !name) return notFound(x.res);
      if (release.assets.some((a) => a.name === name))
        return fail(x.res, 422, 'Validation Failed', [
          { resource: 'ReleaseAsset', code: 'already_exists', field: 'name' },
        ]);
      // Kept as bytes: a model.onnx is binary, and must download as it was uploaded.
      const asset = { id: x.state.nextId(), name, content: Buffer.from(x.raw) };
      release.assets.push(asset);
      const body: Pick<Schemas['release-asset'], 'id' | 'name' | 'size' | 'content_type'> = {
        id: asset.id,
        name,
        size: x.raw.length,
        content_type: x.req.headers['content-type'] ?? '',
      };
      send(x.res, 201, body);
    },
  },
  {
    method: 'GET',
    path: /^\/releases\/assets\/(\d+)$/,
    handle(x, m) {
      if (x.req.headers.accept !== 'application/octet-stream')
        return send(x.res, 200, { id: Number(m[1]) });
      send(x.res, 302, '', { location: `${x.origin}/downloads/${m[1]}` });
    },
  },
  {
    // Release asset downloads come from storage, without the API token.
    method: 'GET',
    path: /^\/downloads\/(\d+)$/,
    absolute: true,
    public: true,
    handle(x, m) {
      const asset = x.state.releases.flatMap((r) => r.assets).find((a) => a.id === Number(m[1]));
      if (!asset) return notFound(x.res);
      x.res.writeHead(200, { 'content-type': 'application/octet-stream' });
      x.res.end(asset.content);
    },
  },
];
