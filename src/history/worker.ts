// A worker thread: its own rule set, scanning the batches of blobs the main thread sends it. The
// main thread reads git (see blob-dispatch.ts): a worker busy scanning cannot drain a pipe, and
// git left waiting on a full pipe was idle a third of the time.
import { parentPort, workerData } from 'node:worker_threads';
import type { KeywardenConfig } from '../config/config-file.js';
import { buildRuleSet } from '../rules.js';
import type { CatFileItem } from '../sources/git/cat-file.js';
import { scanBlobs } from './blob-scan.js';

export interface WorkerInput {
  config: KeywardenConfig;
  redact: boolean;
}

/** One entry of a batch: a missing object, or a blob whose bytes are next in the batch buffer. */
export type BatchEntry = { oid: string; missing: true } | { oid: string; size: number; path?: string };

/** Main thread to worker. */
export type WorkerRequest = { type: 'batch'; entries: BatchEntry[]; size: number; buffer: ArrayBuffer } | { type: 'end' };

/** Worker to main thread. */
export type WorkerMessage =
  | { type: 'progress'; blobs: number; bytes: number }
  /** A batch was scanned: its bytes no longer count against the worker's queue. */
  | { type: 'ack'; bytes: number }
  | { type: 'done'; result: Awaited<ReturnType<typeof scanBlobs>> }
  | { type: 'error'; message: string };

/** The blobs of the batches as they arrive, acknowledging each batch once it is scanned. */
async function* batches(port: NonNullable<typeof parentPort>, paths: Map<string, string>): AsyncGenerator<CatFileItem> {
  const queue: WorkerRequest[] = [];
  let wake: (() => void) | undefined;
  port.on('message', (m: WorkerRequest) => {
    queue.push(m);
    wake?.();
    wake = undefined;
  });
  for (;;) {
    if (queue.length === 0) await new Promise<void>((r) => (wake = r));
    const m = queue.shift()!;
    if (m.type === 'end') return;
    let offset = 0;
    for (const e of m.entries) {
      if ('missing' in e) {
        yield { oid: e.oid, missing: true };
        continue;
      }
      if (e.path !== undefined) paths.set(e.oid, e.path);
      yield { oid: e.oid, type: 'blob', size: e.size, bytes: Buffer.from(m.buffer, offset, e.size) };
      offset += e.size;
    }
    port.postMessage({ type: 'ack', bytes: m.size } satisfies WorkerMessage);
  }
}

async function run(): Promise<void> {
  const input = workerData as WorkerInput;
  const port = parentPort!;
  try {
    const { engine, meta } = buildRuleSet(input.config);
    const paths = new Map<string, string>();
    let last = 0;
    const result = await scanBlobs(batches(port, paths), engine, meta, {
      redact: input.redact,
      paths,
      onTally: (t) => {
        const now = Date.now();
        if (now - last < 100) return;
        last = now;
        port.postMessage({ type: 'progress', blobs: t.blobs, bytes: t.bytes } satisfies WorkerMessage);
      },
    });
    port.postMessage({ type: 'done', result } satisfies WorkerMessage);
  } catch (err) {
    port.postMessage({ type: 'error', message: (err as Error).message } satisfies WorkerMessage);
  }
}

void run();
