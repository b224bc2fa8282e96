// A worker thread: its own rule set, its own `git cat-file --batch`, one shard of blobs.
import { parentPort, workerData } from 'node:worker_threads';
import type { KeywardenConfig } from '../config/config-file.js';
import { buildRuleSet } from '../rules.js';
import { catFileBatch } from '../sources/git/cat-file.js';
import { scanBlobs } from './blob-scan.js';

export interface WorkerInput {
  repo: string;
  oids: string[];
  /** Known paths of blobs (oid, path), for path-scoped rules and path allowlists. */
  paths: Array<[string, string]>;
  config: KeywardenConfig;
  redact: boolean;
}

export type WorkerMessage =
  | { type: 'progress'; blobs: number; bytes: number }
  | { type: 'done'; result: Awaited<ReturnType<typeof scanBlobs>> }
  | { type: 'error'; message: string };

async function run(): Promise<void> {
  const input = workerData as WorkerInput;
  const port = parentPort!;
  try {
    const { engine, meta } = buildRuleSet(input.config);
    let last = 0;
    const result = await scanBlobs(catFileBatch(input.repo, input.oids), engine, meta, {
      redact: input.redact,
      paths: new Map(input.paths),
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
