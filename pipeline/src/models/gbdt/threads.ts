/**
 * Histograms on several threads: each worker owns a fixed range of passes
 * (columns) and the main thread the first one, so every bin is summed by
 * exactly one thread, in ascending row order, as on one thread. The
 * histograms, and so the model's bytes, are the same whatever the number of
 * threads. The fit is synchronous, so the threads meet through Atomics on
 * shared memory, not messages: a task costs a store and a notify, not an
 * event-loop turn.
 *
 * The protocol, which every task keeps: the main thread writes a task's
 * inputs and control slots, then stores the new sequence number (SEQ) with
 * Atomics, which publishes those plain writes; a worker runs a task only
 * after it has loaded a SEQ different from the last one it ran, writes only
 * its own outputs, and stores SEQ into DONE with Atomics, which publishes
 * them; the main thread reads them only after loading that DONE, and posts
 * nothing before every worker's DONE has reached the current SEQ.
 */
import { Worker } from 'node:worker_threads';
import { accumulateNode, accumulateRoot } from './kernel.ts';

/** Slots of a worker's control block. */
const SEQ = 0;
const KIND = 1;
const START = 2;
const COUNT = 3;
const DONE = 4;
const FAILED = 5;
const READY = 6;
const KINDS = { root: 1, node: 2, stop: 3 } as const;
/** How long a worker may take to start before the fit gives up on it. */
const START_TIMEOUT_MS = 30_000;

/** Memory the threads share: every array must be backed by a SharedArrayBuffer. */
export interface SharedInputs {
  passes: Uint8Array[];
  /** Where each pass's slots start in a histogram, in [gradient, count] pairs. */
  bases: Int32Array;
  /** How many slots each pass has. */
  slots: Int32Array;
  totalSlots: number;
  grad: Float64Array;
  ordered: Float64Array;
  index: Uint32Array;
}

/**
 * The worker's program: the kernel's functions from their source text (they
 * are self-contained; `__name` is the helper a TypeScript transform may call
 * to keep function names), and a loop that waits for a task, runs its passes
 * into its own histogram and says it is done.
 */
const PROGRAM = `
const { workerData } = require('node:worker_threads');
const __name = (f) => f;
${accumulateNode.toString()}
${accumulateRoot.toString()}
const { control, passes, bases, slots, grad, ordered, index, hist, from, to } = workerData;
let seq = 0;
Atomics.store(control, ${READY}, 1);
Atomics.notify(control, ${READY});
try {
  for (;;) {
    // Only a new SEQ is a new task: never run the last one again, whatever wakes the wait.
    let next = Atomics.load(control, ${SEQ});
    while (next === seq) {
      Atomics.wait(control, ${SEQ}, seq);
      next = Atomics.load(control, ${SEQ});
    }
    seq = next;
    const kind = control[${KIND}];
    if (kind === ${KINDS.stop}) break;
    for (let p = from; p < to; p++) hist.fill(0, bases[p] * 2, (bases[p] + slots[p]) * 2);
    const start = control[${START}];
    const count = control[${COUNT}];
    if (kind === ${KINDS.root}) accumulateRoot(passes, bases, from, to, hist, grad, count);
    else accumulateNode(passes, bases, from, to, hist, ordered, index.subarray(start, start + count), count);
    Atomics.store(control, ${DONE}, seq);
    Atomics.notify(control, ${DONE});
  }
} catch (error) {
  Atomics.store(control, ${FAILED}, 1);
  Atomics.store(control, ${DONE}, seq);
  Atomics.notify(control, ${DONE});
}
`;

interface Helper {
  worker: Worker;
  control: Int32Array;
  hist: Float64Array;
  from: number;
  to: number;
}

/** A typed array of `length` elements on a SharedArrayBuffer. */
export function shared<T>(Type: new (buffer: SharedArrayBuffer) => T, bytesPerElement: number, length: number): T {
  return new Type(new SharedArrayBuffer(bytesPerElement * length));
}

/** The main thread and `threads - 1` workers, each with its share of the passes. */
export class HistogramThreads {
  private readonly helpers: Helper[];
  /** The main thread's passes: 0 up to this. */
  private readonly mainTo: number;
  private seq = 0;

  constructor(
    private readonly inputs: SharedInputs,
    threads: number,
  ) {
    const p = inputs.passes.length;
    const bound = (t: number) => Math.floor((t * p) / threads);
    this.mainTo = bound(1);
    this.helpers = [];
    for (let t = 1; t < threads; t++) {
      const control = shared(Int32Array, 4, 8);
      const hist = shared(Float64Array, 8, inputs.totalSlots * 2);
      const [from, to] = [bound(t), bound(t + 1)];
      const worker = new Worker(PROGRAM, {
        eval: true,
        workerData: { ...inputs, control, hist, from, to },
      });
      // Never what keeps the process alive: close() stops it, and so does the process's end.
      worker.unref();
      this.helpers.push({ worker, control, hist, from, to });
    }
    for (const { control } of this.helpers) {
      if (Atomics.wait(control, READY, 0, START_TIMEOUT_MS) === 'timed-out' && control[READY] === 0) {
        this.close();
        throw new Error(`a histogram worker did not start within ${START_TIMEOUT_MS / 1000} s`);
      }
    }
  }

  /** The root's gradient sums (no counts) into `hist`, over every row in row order. */
  root(hist: Float64Array, rows: number): void {
    this.post(KINDS.root, 0, rows);
    const { passes, bases, grad } = this.inputs;
    accumulateRoot(passes, bases, 0, this.mainTo, hist, grad, rows);
    this.gather(hist);
  }

  /** A node's sums and counts into `hist`, from the gradients gathered in `ordered` for index[start, start + count). */
  node(hist: Float64Array, start: number, count: number): void {
    this.post(KINDS.node, start, count);
    const { passes, bases, ordered, index } = this.inputs;
    accumulateNode(passes, bases, 0, this.mainTo, hist, ordered, index.subarray(start, start + count), count);
    this.gather(hist);
  }

  /** Stops the workers. */
  close(): void {
    this.post(KINDS.stop, 0, 0);
  }

  private post(kind: number, start: number, count: number): void {
    this.seq++;
    for (const { control } of this.helpers) {
      control[KIND] = kind;
      control[START] = start;
      control[COUNT] = count;
      Atomics.store(control, SEQ, this.seq);
      Atomics.notify(control, SEQ);
    }
  }

  /** Waits for every worker, then copies its passes' slots into `hist`. */
  private gather(hist: Float64Array): void {
    const { bases, slots } = this.inputs;
    for (const helper of this.helpers) {
      const { control } = helper;
      for (let done = Atomics.load(control, DONE); done !== this.seq; done = Atomics.load(control, DONE)) {
        Atomics.wait(control, DONE, done);
      }
      if (control[FAILED] !== 0) throw new Error('a histogram worker failed');
      for (let p = helper.from; p < helper.to; p++) {
        const [a, b] = [bases[p]! * 2, (bases[p]! + slots[p]!) * 2];
        hist.set(helper.hist.subarray(a, b), a);
      }
    }
  }
}
