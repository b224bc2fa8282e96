// A .env-style destination: the variable's value replaced in place (quotes, `export`, comments and
// every other byte of the file kept), written atomically through a temp file in the same directory
// with the file's own permissions, then renamed over it.
import { randomBytes } from 'node:crypto';
import { chmod, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { syncDir } from './journal.js';

interface Assignment {
  /** Offsets of the value (inside any quotes) in the text. */
  start: number;
  end: number;
  value: string;
}

const LINE = /^([ \t]*(?:export[ \t]+)?)([A-Za-z_][A-Za-z0-9_]*)([ \t]*=[ \t]*)(.*)$/;

/** Where NAME's value is, for every assignment of NAME (the application sees the last one). */
export function findAssignments(text: string, name: string): Assignment[] {
  const out: Assignment[] = [];
  let offset = 0;
  for (const rawLine of text.split('\n')) {
    const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    const m = LINE.exec(line);
    if (m && m[2] === name) {
      const valueStart = offset + m[1]!.length + m[2]!.length + m[3]!.length;
      const rest = m[4]!;
      const q = rest[0];
      if ((q === '"' || q === "'") && rest.indexOf(q, 1) !== -1) {
        const close = rest.indexOf(q, 1);
        out.push({ start: valueStart + 1, end: valueStart + close, value: rest.slice(1, close) });
      } else {
        const comment = /\s+#/.exec(rest);
        const value = (comment ? rest.slice(0, comment.index) : rest).replace(/\s+$/, '');
        out.push({ start: valueStart, end: valueStart + value.length, value });
      }
    }
    offset += rawLine.length + 1;
  }
  return out;
}

/** Every variable and its (last) value. */
export function readEnvValues(text: string, names: readonly string[]): Record<string, string | undefined> {
  return Object.fromEntries(names.map((n) => [n, findAssignments(text, n).at(-1)?.value]));
}

/** The names whose value satisfies `test` (to find the variable that holds the leaked key). */
export function namesWhere(text: string, test: (value: string) => boolean): string[] {
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    const m = LINE.exec(line.replace(/\r$/, ''));
    if (m) names.add(m[2]!);
  }
  return [...names].filter((n) => {
    const v = findAssignments(text, n).at(-1)?.value;
    return v !== undefined && test(v);
  });
}

/** The text with each NAME's every assignment set to its new value; missing names appended. */
export function setEnvValues(text: string, values: Readonly<Record<string, string>>): string {
  const edits: Array<{ start: number; end: number; value: string }> = [];
  const append: string[] = [];
  for (const [name, value] of Object.entries(values)) {
    const found = findAssignments(text, name);
    if (found.length === 0) append.push(`${name}=${value}`);
    for (const a of found) edits.push({ start: a.start, end: a.end, value });
  }
  edits.sort((a, b) => b.start - a.start);
  let out = text;
  for (const e of edits) out = out.slice(0, e.start) + e.value + out.slice(e.end);
  if (append.length > 0) {
    const eol = out.includes('\r\n') ? '\r\n' : '\n';
    if (out.length > 0 && !out.endsWith('\n')) out += eol;
    out += append.join(eol) + eol;
  }
  return out;
}

export async function readTextIfAny(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Replaces the file atomically, keeping its mode (0600 for a new file). */
export async function writeEnvFileAtomic(file: string, values: Readonly<Record<string, string>>): Promise<void> {
  const before = await readTextIfAny(file);
  const mode = before === undefined ? 0o600 : (await stat(file)).mode & 0o7777;
  const next = setEnvValues(before ?? '', values);
  const dir = dirname(file);
  const tmp = join(dir, `.${basename(file)}.keywarden-${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  const fh = await open(tmp, 'wx', mode);
  try {
    await fh.writeFile(next);
    await fh.sync();
    await fh.close();
    // the umask may have narrowed it
    await chmod(tmp, mode);
    await rename(tmp, file);
  } catch (err) {
    await fh.close().catch(() => undefined);
    await rm(tmp, { force: true });
    throw err;
  }
  await syncDir(dir);
}
