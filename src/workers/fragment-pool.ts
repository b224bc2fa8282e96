// Worker threads for a working-tree scan: the main thread walks and reads (cheap), the workers run
// the engine (the cost). Fragments travel in batches packed into one transferred buffer, at most
// two batches in flight per worker, and results are put back in source order.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Fragment } from '../types.js';
import type { FragmentOutcome } from '../findings/scan-fragment.js';
import type { FragmentBatch, FragmentWorkerInput, FragmentWorkerMessage } from './fragment-worker.js';

const BATCH_BYTES = 512 * 1024;
const BATCH_FRAGMENTS = 128;
const IN_FLIGHT_PER_WORKER = 2;

const WORKER_URL = new URL('./fragment-worker.js', import.meta.url);

/** Whether the worker script exists: not when this module runs from TypeScript sources (tests). */
export function poolAvailable(): boolean {
  return existsSync(fileURLToPath(WORKER_URL));
}

interface PoolWorker {
  worker: Worker;
  inFlight: number;
}

export class FragmentPool {
  private readonly workers: PoolWorker[];
  private readonly outcomes = new Map<number, FragmentOutcome[]>();
  private paths: string[] = [];
  private offsets: number[] = [0];
  private batch = new Uint8Array(BATCH_BYTES);
  private size = 0;
  private seq = 0;
  private failure: Error | undefined;
  private wake: (() => void) | undefined;

  constructor(threads: number, input: FragmentWorkerInput, private readonly signal?: AbortSignal) {
    this.workers = Array.from({ length: threads }, () => {
      const w: PoolWorker = { worker: new Worker(WORKER_URL, { workerData: input }), inFlight: 0 };
      w.worker.on('message', (m: FragmentWorkerMessage) => {
        if (m.type === 'result') {
          w.inFlight--;
          this.outcomes.set(m.seq, m.outcomes);
        } else if (m.type === 'error') this.fail(new Error(`scan worker: ${m.message}`));
        this.notify();
      });
      w.worker.on('error', (err) => this.fail(err));
      w.worker.on('exit', (code) => {
        if (w.inFlight > 0) this.fail(new Error(`scan worker exited with code ${code}`));
      });
      return w;
    });
    signal?.addEventListener('abort', () => this.fail(signal.reason instanceof Error ? signal.reason : new Error('aborted')), { once: true });
  }

  /**
   * Queues a fragment, copying its bytes (a source may reuse its buffer once this returns); waits
   * while every worker has its fill of batches.
   */
  async add(fragment: Fragment): Promise<void> {
    const n = fragment.bytes.length;
    if (this.size + n > this.batch.length) {
      const bigger = new Uint8Array(Math.max(this.size + n, 2 * this.batch.length));
      bigger.set(this.batch.subarray(0, this.size));
      this.batch = bigger;
    }
    this.batch.set(fragment.bytes, this.size);
    this.size += n;
    this.paths.push(fragment.path);
    this.offsets.push(this.size);
    if (this.size >= BATCH_BYTES || this.paths.length >= BATCH_FRAGMENTS) await this.flush();
  }

  /** Every queued fragment's outcome, in the order the fragments were added (then `terminate`). */
  async finish(): Promise<FragmentOutcome[]> {
    await this.flush();
    while (this.workers.some((w) => w.inFlight > 0)) await this.next();
    this.check();
    const out: FragmentOutcome[] = [];
    for (let s = 0; s < this.seq; s++) out.push(...this.outcomes.get(s)!);
    return out;
  }

  async terminate(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
  }

  private async flush(): Promise<void> {
    if (this.paths.length === 0) return;
    let target = this.idlest();
    while (target.inFlight >= IN_FLIGHT_PER_WORKER) {
      await this.next();
      target = this.idlest();
    }
    this.check();
    // the whole buffer is transferred; the worker reads only up to the last offset
    const bytes = this.batch;
    const batch: FragmentBatch = { seq: this.seq++, paths: this.paths, offsets: this.offsets, bytes };
    this.paths = [];
    this.offsets = [0];
    this.batch = new Uint8Array(BATCH_BYTES);
    this.size = 0;
    target.inFlight++;
    target.worker.postMessage(batch, [bytes.buffer]);
  }

  private idlest(): PoolWorker {
    return this.workers.reduce((a, b) => (b.inFlight < a.inFlight ? b : a));
  }

  private next(): Promise<void> {
    this.check();
    return new Promise((resolve) => {
      this.wake = resolve;
    });
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  private fail(err: Error): void {
    this.failure ??= err;
    this.notify();
  }

  private check(): void {
    if (this.failure) throw this.failure;
  }
}
