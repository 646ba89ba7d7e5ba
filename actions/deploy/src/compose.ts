import { spawn } from 'node:child_process';

/** Output of one docker command. */
interface Run {
  code: number | null;
  output: string;
}

/**
 * The deploy's view of `docker compose`: which image a service runs, and
 * pulling and starting another. The image is chosen through SERVICE_IMAGE,
 * which docker-compose.yml interpolates (`image: ${SERVICE_IMAGE:-...}`).
 */
export class Compose {
  constructor(
    private readonly file: string,
    private readonly service: string,
    private readonly log: (line: string) => void = () => {},
  ) {}

  private run(args: string[], image?: string): Promise<Run> {
    return new Promise((done, fail) => {
      const child = spawn('docker', ['compose', '--file', this.file, ...args], {
        env: { ...process.env, ...(image ? { SERVICE_IMAGE: image } : {}) },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      const keep = (chunk: Buffer) => {
        output += chunk.toString();
        for (const line of chunk.toString().split('\n').filter(Boolean)) this.log(line);
      };
      child.stdout.on('data', keep);
      child.stderr.on('data', keep);
      child.once('error', fail);
      child.once('exit', (code) => done({ code, output }));
    });
  }

  private async must(args: string[], image?: string): Promise<string> {
    const { code, output } = await this.run(args, image);
    if (code !== 0)
      throw new Error(
        `docker compose ${args.join(' ')} exited with ${code}: ${output.trim().split('\n').slice(-3).join(' ')}`,
      );
    return output;
  }

  /** The image the service's container runs now, or undefined when none runs. */
  async runningImage(): Promise<string | undefined> {
    const output = await this.must(['ps', '--format', 'json', this.service]);
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
    await this.must(['pull', this.service], image);
    await this.start(image);
  }

  /** Recreates the service's container on an image that is already here (a rollback). */
  async start(image: string): Promise<void> {
    await this.must(['up', '--detach', '--no-deps', this.service], image);
  }
}
