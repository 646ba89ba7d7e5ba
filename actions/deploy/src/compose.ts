import { execProgram } from '../../shared/exec.ts';
import type { ComposeCommand } from './find-compose.ts';

/** Where Compose finds the service: the file, the project and the env file. */
export interface ComposeProject {
  file: string;
  service: string;
  /** `--project-name`: one per environment, so staging and production can share a host. */
  projectName: string;
  /** `--env-file`, outside the workspace (checkout's clean step deletes a `.env` in it). */
  envFile: string | undefined;
}

/**
 * The deploy's view of Compose (`docker compose`, or a standalone
 * `docker-compose` 2.x; see findCompose): which image a service runs, and
 * pulling and starting another. The image is chosen through SERVICE_IMAGE,
 * which docker-compose.yml interpolates (`image: ${SERVICE_IMAGE:-...}`),
 * always by digest. Every command's output goes to the job log; a failed one
 * throws a CommandError.
 */
export class Compose {
  constructor(
    private readonly command: ComposeCommand,
    private readonly project: ComposeProject,
  ) {}

  private async run(args: string[], image?: string): Promise<string> {
    const { program, prefix } = this.command;
    const { file, projectName, envFile } = this.project;
    const { stdout } = await execProgram(
      program,
      [
        ...prefix,
        '--project-name',
        projectName,
        ...(envFile ? ['--env-file', envFile] : []),
        '--file',
        file,
        ...args,
      ],
      { ...(image ? { env: { SERVICE_IMAGE: image } } : {}) },
    );
    return stdout;
  }

  /** The image the service's container runs now, or undefined when none runs. */
  async runningImage(): Promise<string | undefined> {
    const output = await this.run(['ps', '--format', 'json', this.project.service]);
    // Compose prints one JSON object per line (v2.21+) or one array (older).
    const entries = output
      .trim()
      .split('\n')
      .filter(Boolean)
      .flatMap(
        (line) =>
          JSON.parse(line) as
            { Image?: string; State?: string } | { Image?: string; State?: string }[],
      );
    return entries.find((e) => e.State === 'running')?.Image;
  }

  /** Pulls the image by its digest, then recreates the service's container on it. */
  async deploy(image: string): Promise<void> {
    await this.run(['pull', this.project.service], image);
    await this.start(image);
  }

  /**
   * Recreates the service's container on an image that is already here (a
   * rollback, or what deploy just pulled). `--no-build`: the service has a
   * `build:` section, and an image that is missing must fail the deploy,
   * never be built from the runner's checkout instead. Without `--no-deps`:
   * the service needs its database (the prediction log) before it starts, so
   * Compose starts PostgreSQL when it is not running and waits for it to be
   * healthy; a running one whose configuration is unchanged is left alone.
   */
  async start(image: string): Promise<void> {
    await this.run(['up', '--detach', '--no-build', this.project.service], image);
  }
}
