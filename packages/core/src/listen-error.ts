import { ConfigurationError, errnoCode, errorMessage } from './errors.ts';

/**
 * Turns a failure to listen into the user's error it is, naming the variable
 * to change and its value: a port in use or reserved names PORT, a host that
 * does not resolve or is not this machine's names HOST. The CLI prints it as
 * one line and exits 2, with no stack trace.
 */
export function listenError(error: unknown, host: string, port: number): ConfigurationError {
  const PORT = `PORT=${JSON.stringify(String(port))}`;
  const HOST = `HOST=${JSON.stringify(host)}`;
  const code = errnoCode(error) ?? '';
  switch (code) {
    case 'EADDRINUSE':
      return new ConfigurationError(
        `${host}:${port} is already in use by another process; stop it or choose another port`,
        PORT,
      );
    case 'EACCES':
      return new ConfigurationError(
        `not allowed to listen on ${host}:${port} (ports below 1024 need privileges); choose a port from 1024`,
        PORT,
      );
    case 'EADDRNOTAVAIL':
      return new ConfigurationError(
        'not an address of this machine; use one of its interfaces, 127.0.0.1 or 0.0.0.0',
        HOST,
      );
    case 'EAFNOSUPPORT':
      return new ConfigurationError('this machine does not support its address family', HOST);
  }
  // getaddrinfo's failures: ENOTFOUND (no such name), EAI_AGAIN (no DNS answer), EAI_FAIL, ...
  if (code === 'ENOTFOUND' || code.startsWith('EAI_'))
    return new ConfigurationError(`does not resolve to an address (${code})`, HOST);
  return new ConfigurationError(`cannot listen: ${errorMessage(error)}`, `${HOST} ${PORT}`);
}
