import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root: src/config or dist/config are two levels below it. */
export function packageRoot(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..');
}

export function defaultRulesDir(): string {
  return join(packageRoot(), 'rules');
}
