import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '@housing/core/errors';
import { envFilePort } from '../deploy/src/env-file-port.ts';

// The port deploy checks must be the one Compose publishes from the same env
// file; another one would health-check the other environment's service.
describe("envFilePort: SERVICE_PORT as Compose's env file parser reads it", () => {
  it.each([
    ['SERVICE_PORT=8081\n', 8081],
    ['SERVICE_PORT = "8081"\n', 8081],
    ["SERVICE_PORT='8081'\n", 8081],
    ['SERVICE_PORT=8081 # staging, beside production on 8080\n', 8081],
    ['export SERVICE_PORT=8081\n', 8081],
    ['SERVICE_PORT=8080\nADMIN_TOKEN=x\nSERVICE_PORT=8082\n', 8082],
    ['# SERVICE_PORT=9999\nADMIN_TOKEN=a#b\n', undefined],
    ['', undefined],
  ])('%j -> %s', (text, port) => {
    expect(envFilePort(text, 'staging.env')).toBe(port);
  });

  it.each(['SERVICE_PORT=80a\n', 'SERVICE_PORT=\n', 'SERVICE_PORT=70000\n'])(
    'refuses %j at its line, instead of checking another port',
    (text) => {
      const error = (() => {
        try {
          envFilePort(`# staging\n${text}`, 'staging.env');
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(ConfigurationError);
      expect((error as Error).message).toMatch(/^staging\.env:2: SERVICE_PORT .* is not a port/);
    },
  );
});
