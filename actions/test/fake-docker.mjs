// A stand-in for `docker compose` on a self-hosted runner, for the deploy
// tests (no Docker engine runs here). It records every call, and `up` really
// stops the service process it started last and starts the real service
// (node service/src/main.ts) with the model folder its image stands for.
//
//   FAKE_DOCKER_DIR     where it keeps calls.jsonl, running.json, service.log
//   FAKE_DOCKER_IMAGES  JSON: image -> model folder (the images that "exist")
//   FAKE_DOCKER_PORT    the port the service listens on
//   FAKE_DOCKER_ROOT    the repository (the service's working directory)
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const env = process.env;
const dir = env.FAKE_DOCKER_DIR;
const images = JSON.parse(env.FAKE_DOCKER_IMAGES ?? '{}');
const args = process.argv.slice(2);
const image = env.SERVICE_IMAGE;
// `docker login --password-stdin` reads its password here: recorded, so a test
// can tell it came on stdin and not as an argument.
const stdin = args[0] === 'login' ? readFileSync(0, 'utf8') : null;
appendFileSync(
  join(dir, 'calls.jsonl'),
  `${JSON.stringify({ args, image: image ?? null, ...(stdin === null ? {} : { stdin }) })}\n`,
);

const fail = (message) => {
  process.stderr.write(`${message}\n`);
  process.exit(1);
};
const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

if (args[0] === 'login' || args[0] === 'logout') {
  process.stdout.write(
    args[0] === 'login' ? 'Login Succeeded\n' : `Removing login credentials for ${args[1]}\n`,
  );
  process.exit(0);
}
if (args[0] !== 'compose')
  fail(`fake docker: only compose, login and logout are supported, got ${args.join(' ')}`);
// Compose's global options (--project-name, --env-file, --file), then its command.
let first = 1;
while (args[first]?.startsWith('--')) first += 2;
const rest = args.slice(first);
const statePath = join(dir, 'running.json');
const state = existsSync(statePath) ? JSON.parse(readFileSync(statePath, 'utf8')) : null;

switch (rest[0]) {
  case 'version':
    // The Compose plugin's `docker compose version --short`.
    process.stdout.write('2.26.1\n');
    break;
  case 'ps':
    if (state && alive(state.pid))
      process.stdout.write(
        `${JSON.stringify({ Service: 'service', Image: state.image, State: 'running' })}\n`,
      );
    break;
  case 'pull':
    if (!(image in images))
      fail(`Error response from daemon: manifest for ${image} not found: manifest unknown`);
    process.stdout.write(' service Pulled\n');
    break;
  case 'up': {
    // Without --no-build, Compose would build a missing image from the service's build: section.
    if (!rest.includes('--no-build'))
      fail('fake docker: up without --no-build could build the image');
    if (!(image in images)) fail(`Error response from daemon: No such image: ${image}`);
    if (state && alive(state.pid)) {
      process.kill(state.pid, 'SIGTERM');
      for (let i = 0; i < 200 && alive(state.pid); i++) sleep(50);
      if (alive(state.pid)) process.kill(state.pid, 'SIGKILL');
    }
    const log = openSync(join(dir, 'service.log'), 'a');
    const child = spawn(process.execPath, ['--import', 'tsx', 'service/src/main.ts'], {
      cwd: env.FAKE_DOCKER_ROOT,
      detached: true,
      stdio: ['ignore', log, log],
      env: {
        ...env,
        HOST: '127.0.0.1',
        PORT: env.FAKE_DOCKER_PORT,
        MODEL_DIR: images[image],
        SHUTDOWN_DRAIN_MS: '0',
        LOG_LEVEL: 'warn',
      },
    });
    child.unref();
    writeFileSync(statePath, JSON.stringify({ image, pid: child.pid }));
    process.stdout.write(' Container housing-mlops-service-1  Started\n');
    break;
  }
  default:
    fail(`fake docker: unsupported compose command ${rest.join(' ')}`);
}
