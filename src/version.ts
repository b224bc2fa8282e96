import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from './config/paths.js';

export interface ToolInfo {
  name: string;
  version: string;
  informationUri: string;
}

let cached: ToolInfo | undefined;

export function toolInfo(): ToolInfo {
  if (!cached) {
    const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as {
      name: string;
      version: string;
      homepage?: string;
    };
    cached = { name: pkg.name, version: pkg.version, informationUri: pkg.homepage ?? 'https://www.npmjs.com/package/keywarden' };
  }
  return cached;
}
