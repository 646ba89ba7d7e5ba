/**
 * Why a value cannot be a bearer token, or undefined when it can. A token
 * travels as `Authorization: Bearer <token>`: Node trims header values and
 * reads them as Latin-1, and a header holds no line break, so anything but
 * visible ASCII makes a token that never matches (or, sent by fetch, an error
 * that quotes the header, secret included). The message never echoes the value.
 */
export function bearerTokenProblem(value: string): string | undefined {
  return /^[\x21-\x7e]+$/.test(value)
    ? undefined
    : 'must be visible ASCII characters only, no spaces or line breaks (a bearer token)';
}
