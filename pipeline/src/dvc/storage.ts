/** An object fetched from a remote: its bytes as a stream and where they came from. */
export interface RemoteObject {
  stream: AsyncIterable<Uint8Array>;
  location: string;
}

/** Read access to a DVC remote's content-addressed storage. */
export interface RemoteStorage {
  readonly description: string;
  /** Throws a ConfigurationError naming the place it looked when the object is missing. */
  open(md5: string, forPath: string): Promise<RemoteObject>;
}

/** DVC 3 layout: `files/md5/<first 2 hex>/<other 30 hex>` (a directory's hash keeps `.dir`). */
export function objectKey(md5: string): string[] {
  return ['files', 'md5', md5.slice(0, 2), md5.slice(2)];
}
