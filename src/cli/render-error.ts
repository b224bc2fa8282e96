import { formatProblem, KeywardenError } from '../errors.js';

/** One line saying what went wrong, then one line per problem. */
export function renderError(err: unknown): string {
  if (err instanceof KeywardenError) {
    const lines = [`keywarden: ${err.message}`];
    for (const p of err.problems) lines.push(`  ${formatProblem(p)}`);
    return `${lines.join('\n')}\n`;
  }
  return `keywarden: ${(err as Error)?.message ?? String(err)}\n`;
}
