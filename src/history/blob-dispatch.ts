// The main thread's part of a threaded history scan: one `git cat-file --batch` per shard, so
// git's own work runs in parallel too. Where the native addon makes OS pipes, each git writes into
// a pipe of its own (grown to 1 MiB, so git runs ahead while its worker scans) that its worker
// reads with blocking reads: the main thread only feeds git the object names. Without pipes, the
// main thread reads every git's output and hands the blobs, in batches, to whichever worker has
// the least queued; reading here keeps git's libuv pipe drained while the workers scan.
import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads';
import { catFileBatch, GitError } from '../sources/git/cat-file.js';
import { catFileIntoPipe, type PipedCatFile } from '../sources/git/cat-file-pipe.js';
import { osPipesAvailable } from '../sources/git/os-pipe.js';
import type { BlobRef } from '../sources/git/objects.js';
import type { BlobScanResult } from './blob-scan.js';
import type { BatchEntry, WorkerInput, WorkerMessage, WorkerRequest } from './worker.js';

/** A batch is sent once it holds this many bytes or entries. */
const BATCH_BYTES = 1 << 20;
const BATCH_ENTRIES = 256;
/** Bytes sent to a worker and not yet scanned, at most: bounds memory whatever git's pace. */
const QUEUE_BYTES = 16 << 20;
/** Piped scans hand a worker runs of blobs this large (neighbours in a pack stay together). */
const RUN_BYTES = 1 << 20;
/** Object names a worker's git may have waiting to be read, at most. */
const BACKLOG_BYTES = 4 << 20;

/** A blob for a piped scan: its path, where known, gates path-scoped rules in the worker. */
export interface PipedBlob {
  oid: string;
  size: number;
  path?: string | undefined;
}

/** A worker of a piped scan, its git, and what it has been handed. */
interface Lane {
  scanner: Scanner;
  git: PipedCatFile;
  port: MessagePort;
  bytes: number;
  run: number;
  names: string;
  paths: Array<[string, string]>;
}

/** Sends a lane's pending paths, then asks its git for the pending blobs (so paths arrive first). */
function flush(l: Lane): void {
  if (l.paths.length > 0) l.port.postMessage(l.paths);
  l.paths = [];
  if (l.names) l.git.request(l.names);
  l.names = '';
}

interface Scanner {
  worker: Worker;
  queued: number;
  result: Promise<BlobScanResult>;
  progress: { blobs: number; bytes: number };
  /** Resolves once the thread has exited. */
  gone: Promise<void>;
}

export interface DispatchOptions {
  repo: string;
  shards: BlobRef[][];
  paths?: ReadonlyMap<string, string>;
  signal?: AbortSignal;
  onProgress?: (blobs: number, bytes: number) => void;
}

/**
 * The scan's worker threads. Started before the scan knows its blobs (they load modules and
 * rules while git lists the objects); `scan` then feeds them, and `terminate` stops them.
 */
export class ScanWorkers {
  private readonly scanners: Scanner[];
  private readonly capacity: Array<() => void> = [];
  private failure: unknown;
  private onProgress: DispatchOptions['onProgress'];

  constructor(threads: number, input: WorkerInput) {
    this.scanners = Array.from({ length: threads }, () =>
      startScanner(
        input,
        () => this.freed(),
        () => this.report(),
        (err) => {
          this.failure ??= err;
          this.freed();
        },
      ),
    );
  }

  terminate(): void {
    for (const s of this.scanners) void s.worker.terminate();
    this.freed();
  }

  private freed(): void {
    for (const wake of this.capacity.splice(0)) wake();
  }

  private report(): void {
    this.onProgress?.(
      this.scanners.reduce((a, s) => a + s.progress.blobs, 0),
      this.scanners.reduce((a, s) => a + s.progress.bytes, 0),
    );
  }

  /** Sends `batch` (an ArrayBuffer of its own, so it can be transferred) holding `size` bytes of blobs. */
  private async send(entries: BatchEntry[], batch: Uint8Array<ArrayBuffer>, size: number, signal?: AbortSignal): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      if (this.failure !== undefined) throw this.failure;
      const s = this.scanners.reduce((a, b) => (b.queued < a.queued ? b : a));
      if (s.queued + size <= QUEUE_BYTES || s.queued === 0) {
        s.queued += size;
        s.worker.postMessage({ type: 'batch', entries, size, buffer: batch.buffer } satisfies WorkerRequest, [batch.buffer]);
        return;
      }
      await new Promise<void>((r) => this.capacity.push(r));
    }
  }

  /** Reads the shards from git and scans them; the workers are done afterwards. */
  async scan(opts: DispatchOptions): Promise<BlobScanResult[]> {
    if (osPipesAvailable()) {
      const blobs = opts.shards.flat().map((b) => ({ ...b, path: opts.paths?.get(b.oid) }));
      return this.scanPiped(blobs, opts);
    }
    this.onProgress = opts.onProgress;
    return this.scanRelayed(opts);
  }

  /**
   * Scans blobs as they are listed (a history walk streams them): each worker has its own git,
   * writing into a pipe the worker reads, and is handed runs of blobs, each run to the worker with
   * the fewest bytes so far. A blob's path goes to its worker ahead of its bytes, on a port the
   * worker reads synchronously. Needs OS pipes (osPipesAvailable).
   */
  async scanPiped(
    blobs: AsyncIterable<PipedBlob> | Iterable<PipedBlob>,
    opts: { repo: string; signal?: AbortSignal; onProgress?: DispatchOptions['onProgress'] },
  ): Promise<BlobScanResult[]> {
    this.onProgress = opts.onProgress;
    const lanes: Lane[] = [];
    const stop = (): void => {
      this.terminate();
      for (const l of lanes) l.git.kill();
    };
    opts.signal?.addEventListener('abort', stop, { once: true });
    try {
      for (const scanner of this.scanners) {
        const git = catFileIntoPipe(opts.repo, { signal: opts.signal });
        if (!git) throw new GitError('could not make a pipe for git cat-file');
        const { port1, port2 } = new MessageChannel();
        lanes.push({ scanner, git, port: port1, bytes: 0, run: 0, names: '', paths: [] });
        scanner.worker.postMessage({ type: 'pipe', fd: git.readFd, paths: port2 } satisfies WorkerRequest, [port2]);
      }
      let lane = lanes[0]!;
      for await (const b of blobs) {
        if (this.failure !== undefined) throw this.failure;
        opts.signal?.throwIfAborted();
        if (lane.run >= RUN_BYTES) {
          flush(lane);
          // names of ~100K blobs ahead of git at most: the walk waits rather than memory growing
          await lane.git.backlogBelow(BACKLOG_BYTES);
          lane.run = 0;
          lane = lanes.reduce((a, l) => (l.bytes < a.bytes ? l : a));
        }
        lane.names += `${b.oid}\n`;
        if (b.path) lane.paths.push([b.oid, b.path]);
        lane.bytes += b.size;
        lane.run += b.size;
      }
      for (const l of lanes) {
        flush(l);
        l.git.end();
      }
      return await Promise.all(
        lanes.map(async (l) => {
          try {
            const result = await l.scanner.result;
            await l.git.exited;
            return result;
          } catch (err) {
            // output that ended early is explained by git's own failure (its exit status and
            // stderr), which follows at once; any other failure is the worker's, and git is stopped
            if (err instanceof Error && /ended mid-object/.test(err.message)) await l.git.exited;
            l.git.kill();
            throw err;
          }
        }),
      );
    } catch (err) {
      stop();
      // a worker blocked in a read returns from it once its git is gone, and is then stopped:
      // only then may its pipe be closed (a closed descriptor's number is soon reused)
      await Promise.all(this.scanners.map((s) => s.gone));
      throw err;
    } finally {
      opts.signal?.removeEventListener('abort', stop);
      for (const l of lanes) {
        l.git.close();
        l.port.close();
      }
    }
  }

  /** The main thread reads every shard's git and sends its workers batches of blobs. */
  private async scanRelayed(opts: DispatchOptions): Promise<BlobScanResult[]> {
    const onAbort = (): void => this.terminate();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const feed = async (shard: BlobRef[]): Promise<void> => {
      let entries: BatchEntry[] = [];
      let size = 0;
      // each blob is copied into its batch at once (below), so git's output is read without a copy
      let batch = newBatch(BATCH_BYTES);
      for await (const item of catFileBatch(opts.repo, shard.map((b) => b.oid), { signal: opts.signal, views: true })) {
        if ('missing' in item) entries.push({ oid: item.oid, missing: true });
        else {
          const path = opts.paths?.get(item.oid);
          entries.push(path === undefined ? { oid: item.oid, size: item.size } : { oid: item.oid, size: item.size, path });
          if (size + item.size > batch.length) {
            const bigger = newBatch(Math.max(batch.length * 2, size + item.size));
            bigger.set(batch.subarray(0, size));
            batch = bigger;
          }
          batch.set(item.bytes, size);
          size += item.size;
        }
        if (size >= BATCH_BYTES || entries.length >= BATCH_ENTRIES) {
          await this.send(entries, batch, size, opts.signal);
          entries = [];
          batch = newBatch(BATCH_BYTES);
          size = 0;
        }
      }
      if (entries.length > 0) await this.send(entries, batch, size, opts.signal);
    };
    try {
      await Promise.all(opts.shards.map(feed));
      for (const s of this.scanners) s.worker.postMessage({ type: 'end' } satisfies WorkerRequest);
      return await Promise.all(this.scanners.map((s) => s.result));
    } catch (err) {
      this.terminate();
      throw err;
    } finally {
      opts.signal?.removeEventListener('abort', onAbort);
    }
  }
}

/** A batch buffer with an ArrayBuffer of its own (transferable, unlike a pooled Buffer's), not zero-filled. */
function newBatch(size: number): Uint8Array<ArrayBuffer> {
  return Buffer.allocUnsafeSlow(size) as unknown as Uint8Array<ArrayBuffer>;
}

function startScanner(input: WorkerInput, freed: () => void, report: () => void, fail: (err: unknown) => void): Scanner {
  const worker = new Worker(new URL('./worker.js', import.meta.url), { workerData: input });
  const scanner = { worker, queued: 0, progress: { blobs: 0, bytes: 0 } } as Scanner;
  scanner.gone = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  scanner.result = new Promise<BlobScanResult>((resolve, reject) => {
    let settled = false;
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'ack') {
        scanner.queued -= m.bytes;
        freed();
      } else if (m.type === 'progress') {
        scanner.progress = { blobs: m.blobs, bytes: m.bytes };
        report();
      } else if (m.type === 'done') {
        settled = true;
        resolve(m.result);
        void worker.terminate();
      } else {
        settled = true;
        reject(new GitError(m.message));
        void worker.terminate();
      }
    });
    worker.on('error', (err) => {
      settled = true;
      reject(err);
    });
    worker.on('exit', (code) => {
      if (!settled) reject(new Error(`scan worker exited with code ${code}`));
    });
  });
  // a worker that fails stops the feeders at their next batch (and leaves no unhandled rejection)
  scanner.result.catch(fail);
  return scanner;
}
