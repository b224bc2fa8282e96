// .keywarden-baseline.json on disk: read it (errors name the file and the field), write it
// atomically, and apply it to a scan result.
import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, realpath, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { KeywardenError } from '../errors.js';
import { applyBaseline, parseBaseline, SAME_ROOT, serializeBaseline, type Baseline, type BaselineScope } from '../findings/baseline.js';
import type { ScanResult } from '../types.js';

export const BASELINE_FILE_NAME = '.keywarden-baseline.json';

const toPosix = (p: string): string => (sep === '/' ? p : p.split(sep).join('/'));
const isOutside = (rel: string): boolean => rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel);

/** The baseline at `file`, or undefined when there is no such file. */
export async function readBaselineFile(file: string): Promise<Baseline | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new KeywardenError('CONFIG_INVALID', `cannot read baseline ${file}`, [{ file, message: (err as Error).message }]);
  }
  return parseBaseline(text, file);
}

/**
 * Writes through a temporary sibling: a reader never sees half a file. `exclusive` refuses to
 * replace an existing file, atomically (link fails if the name exists). Returns false when the
 * file already held exactly these bytes and was left alone.
 */
export async function writeBaselineFile(file: string, baseline: Baseline, opts: { exclusive?: boolean } = {}): Promise<boolean> {
  const text = serializeBaseline(baseline);
  const existing = await readFile(file, 'utf8').catch(() => undefined);
  if (existing !== undefined && opts.exclusive) throw new KeywardenError('USAGE', `${file} already exists`);
  if (existing === text) return false;
  const mode = existing !== undefined ? (await stat(file)).mode & 0o777 : 0o644;
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await mkdir(dirname(file), { recursive: true });
    await writeFile(tmp, text, { mode, flag: 'wx' });
    if (opts.exclusive) await linkExclusive(tmp, file);
    else await rename(tmp, file);
  } catch (err) {
    if (err instanceof KeywardenError) throw err;
    throw new KeywardenError('IO', `cannot write baseline ${file}: ${(err as Error).message}`);
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
  return true;
}

async function linkExclusive(tmp: string, file: string): Promise<void> {
  try {
    await link(tmp, file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new KeywardenError('USAGE', `${file} already exists`);
    // filesystems without hard links: check, then rename (a narrow race instead of none)
    if (await stat(file).then(() => true, () => false)) throw new KeywardenError('USAGE', `${file} already exists`);
    await rename(tmp, file);
  }
}

/** The real path of a directory that may not exist yet (its nearest existing ancestor resolved). */
async function realDir(p: string): Promise<string> {
  const abs = resolve(p);
  try {
    return await realpath(abs);
  } catch {
    const parent = dirname(abs);
    return parent === abs ? abs : join(await realDir(parent), basename(abs));
  }
}

/** How paths under the scan root map to paths in a baseline file (see BaselineScope). */
export async function baselineScope(baselineFile: string, root: string): Promise<BaselineScope> {
  const dir = await realDir(dirname(resolve(baselineFile)));
  const top = await realDir(root);
  if (dir === top) return SAME_ROOT;
  return {
    toBaselinePath: (file) => toPosix(relative(dir, join(top, file))),
    covers: (p) => {
      const rel = relative(top, join(dir, p));
      return rel !== '' && !isOutside(rel);
    },
  };
}

/**
 * Applies a baseline to a scan result: `baselinePath` explicit (must exist; relative to the process
 * cwd) or undefined for `<root>/.keywarden-baseline.json` if there is one. Without a baseline the
 * result comes back unchanged. `root` is the scan root the findings' paths are relative to.
 */
export async function applyBaselineToResult<T extends ScanResult>(
  result: T,
  baselinePath: string | undefined,
  root: string,
  now: Date,
): Promise<T> {
  const file = baselinePath !== undefined ? resolve(baselinePath) : join(resolve(root), BASELINE_FILE_NAME);
  const baseline = await readBaselineFile(file);
  if (!baseline) {
    if (baselinePath === undefined) return result;
    throw new KeywardenError('CONFIG_INVALID', `cannot read baseline ${baselinePath}`, [{ file: baselinePath, message: 'file not found' }]);
  }
  const applied = applyBaseline(result.findings, baseline, now, await baselineScope(file, root));
  const shown = relative(resolve(root), file);
  return {
    ...result,
    findings: applied.findings,
    stats: { ...result.stats, findings: applied.findings.length, baselined: applied.suppressed },
    baseline: {
      file: isOutside(shown) ? file : toPosix(shown),
      suppressed: applied.suppressed,
      stale: applied.stale,
      expired: applied.expired,
    },
  };
}
