import { execProgram } from '../../shared/exec.ts';
import type { ComposeCommand } from './find-compose.ts';

/**
 * The deploy's view of Compose (`docker compose`, or a standalone
 * `docker-compose` 2.x; see findCompose): which image a service runs, and
 * pulling and starting another. The image is chosen through SERVICE_IMAGE,
 * which docker-compose.yml interpolates (`image: ${SERVICE_IMAGE:-...}`).
 * Every command's output goes to the job log; a failed one throws a
 * CommandError.
 */
export class Compose {
  constructor(
    private readonly command: ComposeCommand,
    private readonly file: string,
    private readonly service: string,
  ) {}

  private async run(args: string[], image?: string): Promise<string> {
    const { program, prefix } = this.command;
    const { stdout } = await execProgram(program, [...prefix, '--file', this.file, ...args], {
      ...(image ? { env: { SERVICE_IMAGE: image } } : {}),
    });
    return stdout;
  }

  /** The image the service's container runs now, or undefined when none runs. */
  async runningImage(): Promise<string | undefined> {
    const output = await this.run(['ps', '--format', 'json', this.service]);
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

  /** Pulls the image, then recreates the service's container on it. */
  async deploy(image: string): Promise<void> {
    await this.run(['pull', this.service], image);
    await this.start(image);
  }

  /** Recreates the service's container on an image that is already here (a rollback). */
  async start(image: string): Promise<void> {
    await this.run(['up', '--detach', '--no-deps', this.service], image);
  }
}
