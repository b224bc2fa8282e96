// A worker thread: its own rule set, scanning blobs either straight from a git process's pipe,
// read with blocking reads (where the native addon makes OS pipes), or from batches the main
// thread reads out of git and sends it (see blob-dispatch.ts).
import { type MessagePort, parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import type { KeywardenConfig } from '../config/config-file.js';
import { buildRuleSet } from '../rules.js';
import type { CatFileItem } from '../sources/git/cat-file.js';
import { readCatFileOutput } from '../sources/git/cat-file-pipe.js';
import { scanBlobs } from './blob-scan.js';

export interface WorkerInput {
  config: KeywardenConfig;
  redact: boolean;
}

/** One entry of a batch: a missing object, or a blob whose bytes are next in the batch buffer. */
export type BatchEntry = { oid: string; missing: true } | { oid: string; size: number; path?: string };

/** Main thread to worker: batches then 'end', or one 'pipe' to read git's output from until its end. */
export type WorkerRequest =
  | { type: 'batch'; entries: BatchEntry[]; size: number; buffer: ArrayBuffer }
  | { type: 'end' }
  /** `paths` carries batches of [oid, path], each sent before git is asked for those blobs. */
  | { type: 'pipe'; fd: number; paths: MessagePort };

/** Worker to main thread. */
export type WorkerMessage =
  | { type: 'progress'; blobs: number; bytes: number }
  /** A batch was scanned: its bytes no longer count against the worker's queue. */
  | { type: 'ack'; bytes: number }
  | { type: 'done'; result: Awaited<ReturnType<typeof scanBlobs>> }
  | { type: 'error'; message: string };

/** The blobs of the batches as they arrive, acknowledging each batch once it is scanned. */
async function* batches(queue: AsyncIterator<WorkerRequest>, first: WorkerRequest, paths: Map<string, string>): AsyncGenerator<CatFileItem> {
  for (let m = first; ; m = (await queue.next()).value as WorkerRequest) {
    if (m.type === 'end') return;
    if (m.type === 'pipe') throw new Error('a pipe request after batches');
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
    parentPort!.postMessage({ type: 'ack', bytes: m.size } satisfies WorkerMessage);
  }
}

/** The main thread's requests, in order. */
async function* requests(port: NonNullable<typeof parentPort>): AsyncGenerator<WorkerRequest> {
  const queue: WorkerRequest[] = [];
  let wake: (() => void) | undefined;
  port.on('message', (m: WorkerRequest) => {
    queue.push(m);
    wake?.();
    wake = undefined;
  });
  for (;;) {
    if (queue.length === 0) await new Promise<void>((r) => (wake = r));
    yield queue.shift()!;
  }
}

/**
 * Paths of a piped scan's blobs: the main thread posts them before asking git for the blobs, so
 * a blob's path, if it has one, is on the port by the time its bytes are read. Read synchronously
 * (this thread is blocked in reads, not in its event loop), and forgotten once asked for.
 */
function pipedPaths(port: MessagePort): { get(oid: string): string | undefined } {
  const known = new Map<string, string>();
  return {
    get(oid) {
      if (!known.has(oid)) {
        for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) {
          for (const [o, p] of m.message as Array<[string, string]>) known.set(o, p);
          if (known.has(oid)) break;
        }
      }
      const path = known.get(oid);
      known.delete(oid);
      return path;
    },
  };
}

async function run(): Promise<void> {
  const input = workerData as WorkerInput;
  const port = parentPort!;
  try {
    const { engine, meta } = buildRuleSet(input.config);
    const paths = new Map<string, string>();
    const queue = requests(port);
    const first = (await queue.next()).value as WorkerRequest;
    let items: AsyncIterable<CatFileItem> | Iterable<CatFileItem>;
    let pathOf: { get(oid: string): string | undefined } = paths;
    if (first.type === 'pipe') {
      items = readCatFileOutput(first.fd);
      pathOf = pipedPaths(first.paths);
    } else items = batches(queue, first, paths);
    let last = 0;
    const result = await scanBlobs(items, engine, meta, {
      redact: input.redact,
      paths: pathOf,
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
