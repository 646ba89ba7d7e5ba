import { describe, expect, it } from 'vitest';
import { createCliLogger, createLogger, readableLine } from '@housing/core/logger';

/** A stream that keeps what was written, as one string per write. */
function capture(isTTY = false): {
  writes: string[];
  stream: { write(s: string): boolean; isTTY: boolean };
} {
  const writes: string[] = [];
  return { writes, stream: { write: (s: string) => writes.push(s) > 0, isTTY } };
}

describe('createCliLogger', () => {
  it('writes pino JSON lines off a terminal: level number, epoch time, component, msg and fields', () => {
    const { writes, stream } = capture();
    const logger = createCliLogger('train', stream, false);
    logger.info('trained', { rounds: 3 });
    logger.warn('slow');
    logger.progress('round 1/3');
    expect(writes).toHaveLength(2); // progress is dropped off a terminal
    const [info, warn] = writes.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(info).toMatchObject({ level: 30, component: 'train', msg: 'trained', rounds: 3 });
    expect(typeof info!.time).toBe('number');
    expect(info).toHaveProperty('pid', process.pid);
    expect(warn).toMatchObject({ level: 40, msg: 'slow' });
    for (const line of writes) expect(line.endsWith('\n')).toBe(true);
  });

  it('writes the same keys as the service logger', () => {
    const cli = capture();
    const service = capture();
    createCliLogger('relay', cli.stream, false).info('listening', { port: 1 });
    createLogger('service', { stream: service.stream, interactive: false }).info(
      { port: 1 },
      'listening',
    );
    const keys = (line: string) => Object.keys(JSON.parse(line) as object).sort();
    expect(keys(cli.writes[0]!)).toEqual(keys(service.writes[0]!));
  });

  it('prints readable lines on a terminal and clears the progress line before the next one', () => {
    const { writes, stream } = capture(true);
    const logger = createCliLogger('train', stream, true);
    logger.progress('round 1/3');
    logger.info('trained', { rounds: 3 });
    logger.error('failed');
    expect(writes).toEqual([
      '\r\x1b[2K[train] round 1/3',
      '\r\x1b[2K',
      '[train] trained {"rounds":3}\n',
      '[train] ERROR: failed\n',
    ]);
  });

  it('honours the level: debug lines are dropped at info', () => {
    const { writes, stream } = capture();
    const logger = createLogger('service', { stream, level: 'info', interactive: false });
    logger.debug('hidden');
    logger.info('shown');
    expect(writes.map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual(['shown']);
  });
});

describe('readableLine', () => {
  it('drops the keys a person does not need and names non-info levels', () => {
    const line = JSON.stringify({
      level: 40,
      time: 1,
      pid: 2,
      hostname: 'h',
      component: 'gate',
      msg: 'below floor',
      metric: 'rmse',
    });
    expect(readableLine(line)).toBe('[gate] WARN: below floor {"metric":"rmse"}\n');
  });
});
