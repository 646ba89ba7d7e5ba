import { readFile } from 'node:fs/promises';

/** One Dockerfile instruction, continuation lines joined. */
export interface Instruction {
  op: string;
  args: string;
}

/** A parsed Dockerfile, with the questions the container tests ask of it. */
export interface Dockerfile {
  instructions: Instruction[];
  /** The last instruction of a kind (the runtime stage's USER, CMD, HEALTHCHECK). */
  last(op: string): Instruction;
  /** The build-context sources of every COPY (not COPY --from). */
  copySources(): string[];
  /** The HEALTHCHECK's exec-form command. */
  healthcheck(): string[];
}

/** Reads a Dockerfile well enough to check it without a Docker engine. */
export async function readDockerfile(path: string): Promise<Dockerfile> {
  const instructions = (await readFile(path, 'utf8'))
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => {
      const [op, ...rest] = l.split(/\s+/);
      return { op: op!.toUpperCase(), args: rest.join(' ') };
    });
  const last = (op: string) => {
    const found = instructions.filter((i) => i.op === op).at(-1);
    if (!found) throw new Error(`${path}: no ${op} instruction`);
    return found;
  };
  return {
    instructions,
    last,
    copySources: () =>
      instructions
        .filter((i) => i.op === 'COPY' && !i.args.startsWith('--from'))
        .flatMap((i) => i.args.split(/\s+/).slice(0, -1)),
    healthcheck: () => JSON.parse(last('HEALTHCHECK').args.replace(/^.*?CMD\s+/, '')) as string[],
  };
}
