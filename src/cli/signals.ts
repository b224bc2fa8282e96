// Ctrl-C during a scan: the first SIGINT (or SIGTERM) aborts it, which kills its git processes
// and worker threads and lets it unwind to exit 130 (143); a second one exits at once.
import { KeywardenError } from '../errors.js';

/** 128 + SIGINT, as shells report a process interrupted by Ctrl-C. */
export const EXIT_INTERRUPTED = 130;

const EXIT_BY_SIGNAL: Record<'SIGINT' | 'SIGTERM', number> = { SIGINT: EXIT_INTERRUPTED, SIGTERM: 143 };

/** If unwinding after the first signal takes longer than this, exit anyway. */
const UNWIND_GRACE_MS = 2000;

export interface Interrupt {
  /** Aborted by the first signal; its reason is a KeywardenError with code INTERRUPTED. */
  signal: AbortSignal;
  /** The exit code for the signal received, once one was. */
  exitCode(): number | undefined;
  dispose(): void;
}

/** Installs the handlers for the duration of one command; `dispose` removes them. */
export function onInterrupt(notify: (message: string) => void): Interrupt {
  const controller = new AbortController();
  let received: 'SIGINT' | 'SIGTERM' | undefined;
  const handler = (sig: 'SIGINT' | 'SIGTERM'): void => {
    // The second signal means "now": nothing is left to wait for that the user still wants.
    if (received) process.exit(EXIT_BY_SIGNAL[received]);
    received = sig;
    notify(`keywarden: interrupted, stopping (press Ctrl-C again to exit at once)\n`);
    controller.abort(new KeywardenError('IO', 'interrupted'));
    setTimeout(() => process.exit(EXIT_BY_SIGNAL[sig]), UNWIND_GRACE_MS).unref();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: controller.signal,
    exitCode: () => (received ? EXIT_BY_SIGNAL[received] : undefined),
    dispose: () => {
      // once interrupted, the process is on its way out: a further Ctrl-C still exits at once
      if (received) return;
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
