// Interactive confirmation for destructive commands: only when a person is at a terminal.
import { createInterface } from 'node:readline/promises';
import type { CliIO } from './io.js';

/** True when stdin and stderr are terminals, so a question can be asked and answered. */
export function canAsk(io: CliIO): boolean {
  return io.stderrIsTTY && Boolean(process.stdin.isTTY);
}

/** Asks on stderr; only a typed "yes" (or "y") agrees. */
export async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(`${question} [y/N] `);
    return /^(y|yes)$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}
