// A worker thread of a working-tree scan: its own rule set; batches of fragments in, findings out.
import { parentPort, workerData } from 'node:worker_threads';
import type { KeywardenConfig } from '../config/config-file.js';
import { buildRuleSet } from '../rules.js';
import { scanFragment, type FragmentOutcome } from '../findings/scan-fragment.js';

export interface FragmentWorkerInput {
  config: KeywardenConfig;
  redact: boolean;
}

/** Fragments packed into one transferred buffer: paths[i] is bytes[offsets[i], offsets[i+1]). */
export interface FragmentBatch {
  seq: number;
  paths: string[];
  offsets: number[];
  bytes: Uint8Array;
}

export type FragmentWorkerMessage =
  | { type: 'ready' }
  | { type: 'result'; seq: number; outcomes: FragmentOutcome[] }
  | { type: 'error'; message: string };

function run(): void {
  const port = parentPort!;
  const input = workerData as FragmentWorkerInput;
  let ruleSet: ReturnType<typeof buildRuleSet>;
  try {
    ruleSet = buildRuleSet(input.config);
  } catch (err) {
    port.postMessage({ type: 'error', message: (err as Error).message } satisfies FragmentWorkerMessage);
    return;
  }
  port.on('message', (batch: FragmentBatch) => {
    try {
      const all = Buffer.from(batch.bytes.buffer, batch.bytes.byteOffset, batch.bytes.byteLength);
      const outcomes = batch.paths.map((path, i) =>
        scanFragment({ path, bytes: all.subarray(batch.offsets[i]!, batch.offsets[i + 1]!) }, ruleSet.engine, ruleSet.meta, { redact: input.redact }),
      );
      port.postMessage({ type: 'result', seq: batch.seq, outcomes } satisfies FragmentWorkerMessage);
    } catch (err) {
      port.postMessage({ type: 'error', message: (err as Error).message } satisfies FragmentWorkerMessage);
    }
  });
  port.postMessage({ type: 'ready' } satisfies FragmentWorkerMessage);
}

run();
