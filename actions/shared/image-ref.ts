import { ConfigurationError } from '@housing/core/errors';

// The reference grammar of distribution/reference (what docker and every
// registry accept), written out once: a registry host with an optional port,
// then lower-case path components separated by `/`.
const HOST = String.raw`(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::\d+)?)`;
const COMPONENT = String.raw`[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*`;
const NAME = new RegExp(`^(?:${HOST}/)?${COMPONENT}(?:/${COMPONENT})*$`);
const TAG = /^\w[\w.-]{0,127}$/;
const DIGEST = /^sha256:[0-9a-f]{64}$/;

/** The most characters a repository name may have (distribution's limit). */
const MAX_NAME = 255;

/**
 * An image name (no tag, no digest) as registries require it: lower case.
 * `ghcr.io/${{ github.repository }}` keeps the owner's capitals
 * (`ghcr.io/Acme/housing`), which ghcr.io and docker refuse, so every name
 * the actions take is lower-cased here, the one place that does it. What is
 * still not a valid name afterwards (a tag, spaces, `..`) is a
 * ConfigurationError naming `where` (the input), before anything is built,
 * released or deployed.
 */
export function imageName(raw: string, where: string): string {
  const name = raw.trim().toLowerCase();
  if (name.length === 0 || name.length > MAX_NAME || !NAME.test(name))
    throw new ConfigurationError(
      `'${raw}' is not an image name without a tag or digest (registry/owner/name, e.g. ghcr.io/acme/housing-service)`,
      where,
    );
  return name;
}

/** Whether `digest` is a sha256 content digest as registries print it. */
export function isDigest(digest: string): boolean {
  return DIGEST.test(digest);
}

/** `name@sha256:...`: how promotion and deploys name an image. */
export function byDigest(name: string, digest: string): string {
  return `${name}@${digest}`;
}

/**
 * An image named by digest, `name@sha256:<64 hex>` (a `name:tag@sha256:...`
 * is accepted and its tag dropped: tags are for people and can move, the
 * digest is what runs). The name is lower-cased as {@link imageName} does;
 * anything without a digest is a ConfigurationError naming `where`.
 */
export function imageByDigest(raw: string, where: string): string {
  const text = raw.trim();
  const at = text.lastIndexOf('@');
  const digest = at < 0 ? '' : text.slice(at + 1);
  if (!isDigest(digest))
    throw new ConfigurationError(
      `'${raw}' must name the image by digest (name@sha256:<64 hex digits>); tags can move, a digest names exactly what was built`,
      where,
    );
  let name = text.slice(0, at);
  // A tag is the part after the last `:` that is not a registry's port.
  const colon = name.lastIndexOf(':');
  if (colon > name.lastIndexOf('/')) {
    if (!TAG.test(name.slice(colon + 1)))
      throw new ConfigurationError(`'${raw}' has an invalid tag`, where);
    name = name.slice(0, colon);
  }
  return byDigest(imageName(name, where), digest);
}

/**
 * The registry an image is pulled from: its first path component when that
 * is a host (has a `.` or a `:`, or is `localhost`), else Docker Hub, as
 * docker resolves it.
 */
export function registryOf(image: string): string {
  const first = image.split('/')[0] ?? '';
  return image.includes('/') && (/[.:]/.test(first) || first === 'localhost') ? first : 'docker.io';
}
