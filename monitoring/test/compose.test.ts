/**
 * No Docker engine runs in CI, so docker-compose.yml is checked as a file:
 * against the Compose Specification's JSON Schema (shipped in
 * monitoring/schemas), and for the promises the stack makes (paths that
 * exist, loopback ports, pinned images, secrets that stay out of git).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { Ajv } from 'ajv';
import { beforeAll, describe, expect, it } from 'vitest';
import { ALERTMANAGER_CONFIG, MONITORING_DIR, ROOT } from '../src/paths.ts';
import { readYamlFile } from '@housing/core/yaml-file';
import { missing, run } from '@housing/test-support/programs';

interface ComposeService {
  build?: { context: string; dockerfile?: string };
  image?: string;
  ports?: string[];
  volumes?: string[];
  secrets?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
}

interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
  secrets?: Record<string, { environment?: string; file?: string }>;
}

const COMPOSE_FILE = join(ROOT, 'docker-compose.yml');

/** The Compose Specification schema, compiled. */
async function composeValidator() {
  const { $schema: _, ...schema } = JSON.parse(
    await readFile(join(MONITORING_DIR, 'schemas/compose-spec.json'), 'utf8'),
  ) as { $schema?: string };
  // $schema names draft-07 by an https URL that ajv does not register (it has
  // the http one); ajv's default draft is 07. "format: duration" and the like
  // are unknown to ajv, so formats are not checked.
  return new Ajv({ allErrors: true, strict: false, validateFormats: false }).compile(schema);
}

describe('docker-compose.yml', () => {
  let compose: ComposeFile;
  beforeAll(async () => {
    compose = (await readYamlFile(COMPOSE_FILE)) as ComposeFile;
  });

  it('is valid against the Compose Specification schema', async () => {
    const validate = await composeValidator();
    const valid = validate(compose);
    expect(validate.errors?.map((e) => `${e.instancePath} ${e.message}`) ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('the schema check catches a misspelt key', async () => {
    const validate = await composeValidator();
    const broken = structuredClone(compose);
    (broken.services.prometheus as Record<string, unknown>).healtcheck = {};
    expect(validate(broken)).toBe(false);
  });

  it('runs the service, PostgreSQL, Prometheus, Alertmanager, Grafana, the retrain relay and node-exporter', () => {
    expect(Object.keys(compose.services).sort()).toEqual([
      'alertmanager',
      'grafana',
      'node-exporter',
      'postgres',
      'prometheus',
      'retrain-relay',
      'service',
    ]);
  });

  it('builds the service and the relay from their Dockerfiles, from paths that exist', () => {
    for (const [name, dockerfile] of [
      ['service', 'service/Dockerfile'],
      ['retrain-relay', 'relay/Dockerfile'],
    ] as const) {
      const build = compose.services[name]?.build;
      expect(build?.dockerfile).toBe(dockerfile);
      expect(existsSync(join(ROOT, build!.context))).toBe(true);
      expect(existsSync(join(ROOT, build!.context, build!.dockerfile!))).toBe(true);
    }
  });

  it("points Alertmanager's retrain receiver at the relay's service name and port", async () => {
    const config = await readFile(ALERTMANAGER_CONFIG, 'utf8');
    expect(config).toContain('url: http://retrain-relay:9095/v1/alertmanager');
    expect(compose.services['retrain-relay']?.secrets).toContain('retrain_relay_token');
  });

  it('mounts only paths that exist, provisioning read-only, and named volumes it declares', () => {
    const problems: string[] = [];
    for (const [name, service] of Object.entries(compose.services))
      for (const volume of service.volumes ?? []) {
        const [source = '', target = '', mode = ''] = volume.split(':');
        if (source.startsWith('.') || isAbsolute(source)) {
          if (!existsSync(join(ROOT, source))) problems.push(`${name}: ${source} does not exist`);
          if (!mode.split(',').includes('ro')) problems.push(`${name}: ${source} is not read-only`);
        } else if (!(source in (compose.volumes ?? {})))
          problems.push(`${name}: volume ${source} is not declared`);
        if (!target.startsWith('/')) problems.push(`${name}: target ${target} is not absolute`);
      }
    expect(problems).toEqual([]);
  });

  it('binds every published port to 127.0.0.1, except the service', () => {
    const open = Object.entries(compose.services)
      .filter(([name]) => name !== 'service')
      .flatMap(([name, s]) =>
        (s.ports ?? []).filter((p) => !p.startsWith('127.0.0.1:')).map((p) => `${name}: ${p}`),
      );
    expect(open).toEqual([]);
    expect(compose.services.service?.ports).toEqual(['${SERVICE_PORT:-8080}:8080']);
  });

  it('gives every container a healthcheck', () => {
    const without = Object.entries(compose.services)
      .filter(([, s]) => !s.healthcheck?.test?.length)
      .map(([name]) => name);
    expect(without).toEqual([]);
  });

  it('pins every image to a version, never latest', () => {
    const images = Object.values(compose.services)
      .map((s) => s.image)
      .filter((i): i is string => i !== undefined && !i.startsWith('${'));
    expect(images.length).toBe(5);
    // x.y.z, or PostgreSQL's major.minor with its Debian suite (postgres:15.14-bookworm).
    for (const image of images) expect(image).toMatch(/:(v?\d+\.\d+\.\d+|\d+\.\d+-bookworm)$/);
  });

  it.skipIf(missing('prometheus', 'amtool'))(
    'runs the Prometheus and Alertmanager versions the tests run',
    () => {
      const version = (command: string) =>
        /version (\d+\.\d+)\./.exec(run(command, ['--version']).output)?.[1];
      expect(compose.services.prometheus?.image).toContain(`:v${version('prometheus')}.`);
      expect(compose.services.alertmanager?.image).toContain(`:v${version('amtool')}.`);
    },
  );

  it('keeps secrets out of git: from .env (ignored), listed in .env.example with no values', async () => {
    const secrets = Object.entries(compose.secrets ?? {});
    expect(secrets.length).toBeGreaterThan(0);
    for (const [name, source] of secrets)
      expect(source.environment, `secret ${name} must come from the environment`).toMatch(
        /^[A-Z_]+$/,
      );
    const example = await readFile(join(ROOT, '.env.example'), 'utf8');
    const listed = new Map(
      [...example.matchAll(/^([A-Z_]+)=(.*)$/gm)].map((m) => [m[1]!, m[2]!.trim()]),
    );
    const needed = [
      ...secrets.map(([, s]) => s.environment!),
      ...[...(await readFile(COMPOSE_FILE, 'utf8')).matchAll(/\$\{([A-Z_]+)(?::-[^}]*)?\}/g)]
        .map((m) => m[1]!)
        .filter((v) => !v.endsWith('_IMAGE')),
    ];
    for (const variable of needed) expect(listed.get(variable), variable).toBe('');
    expect(run('git', ['check-ignore', '-q', '.env'], { cwd: ROOT }).status).toBe(0);
  });

  it('grants Alertmanager every secret file its config reads', async () => {
    const config = await readFile(ALERTMANAGER_CONFIG, 'utf8');
    const files = [...config.matchAll(/\/run\/secrets\/([a-z_]+)/g)].map((m) => m[1]!);
    expect(files.length).toBeGreaterThanOrEqual(4);
    expect(new Set(compose.services.alertmanager?.secrets)).toEqual(new Set(files));
  });

  it("gives the service its admin token from a secret file, as the relay's tokens, not its environment", () => {
    const env = compose.services.service?.environment ?? {};
    expect(env.ADMIN_TOKEN_FILE).toBe('/run/secrets/admin_token');
    expect(env).not.toHaveProperty('ADMIN_TOKEN');
    expect(compose.services.service?.secrets).toEqual([
      'admin_token',
      'database_url',
      'feedback_token',
    ]);
    expect(compose.secrets?.admin_token).toEqual({ environment: 'ADMIN_TOKEN' });
    const relay = compose.services['retrain-relay']?.environment ?? {};
    expect(relay.GITHUB_TOKEN_FILE).toBe('/run/secrets/github_dispatch_token');
  });

  it('gives Grafana its admin password from a secret file, never a default', () => {
    const env = compose.services.grafana?.environment ?? {};
    expect(env.GF_SECURITY_ADMIN_PASSWORD__FILE).toBe('/run/secrets/grafana_admin_password');
    expect(env).not.toHaveProperty('GF_SECURITY_ADMIN_PASSWORD');
    expect(compose.services.grafana?.secrets).toContain('grafana_admin_password');
  });

  it('gives the service its database URL and feedback token from secret files, and waits for a healthy PostgreSQL', () => {
    const service = compose.services.service;
    expect(service?.environment?.DATABASE_URL_FILE).toBe('/run/secrets/database_url');
    expect(service?.environment?.FEEDBACK_TOKEN_FILE).toBe('/run/secrets/feedback_token');
    expect(service?.environment).not.toHaveProperty('DATABASE_URL');
    expect(service?.environment).not.toHaveProperty('FEEDBACK_TOKEN');
    expect(compose.secrets?.database_url).toEqual({ environment: 'DATABASE_URL' });
    expect(compose.secrets?.feedback_token).toEqual({ environment: 'FEEDBACK_TOKEN' });
    expect(service?.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
  });

  it("runs PostgreSQL through the official image's interface, its password from a secret, its data on a named volume", () => {
    const postgres = compose.services.postgres;
    expect(postgres?.image).toMatch(/^postgres:15\.\d+-bookworm$/);
    expect(postgres?.environment).toEqual({
      POSTGRES_USER: 'housing',
      POSTGRES_DB: 'housing',
      POSTGRES_PASSWORD_FILE: '/run/secrets/postgres_password',
    });
    expect(postgres?.secrets).toEqual(['postgres_password']);
    expect(compose.secrets?.postgres_password).toEqual({ environment: 'POSTGRES_PASSWORD' });
    expect(postgres?.volumes).toEqual(['postgres-data:/var/lib/postgresql/data']);
    expect(compose.volumes).toHaveProperty('postgres-data');
    // Only the service connects, on the compose network.
    expect(postgres?.ports).toBeUndefined();
    expect(postgres?.healthcheck?.test.slice(0, 2)).toEqual(['CMD', 'pg_isready']);
    expect(postgres?.healthcheck?.test).toContain('--username=housing');
  });
});
