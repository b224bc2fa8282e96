// Which commits and paths introduced the blobs that have findings. Resolved after scanning, for
// those blobs only, so memory stays bounded by the findings rather than by the history.
import { createReadStream, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CommitInfo } from '../types.js';
import { isFileMode, parseRawChanges, rawChanges, splitBatches, type RawChange } from '../sources/git/objects.js';
import { spawnGit } from '../sources/git/run-git.js';

export interface Occurrence {
  /** Absent for staged content, which no commit holds yet. */
  commit?: CommitInfo;
  path: string;
  /** The commit's place in the oldest-first walk: breaks ties between commits of the same date. */
  order?: number;
}

export const LOG_FORMAT = '--format=%x01%H%x02%an%x02%ae%x02%aI%x02%s';

export function parseCommitHeader(header: string): CommitInfo {
  const [sha, author, email, date, message] = header.split('\u0002');
  return { sha: sha!, author: author ?? '', email: email ?? '', date: date ?? '', message: message ?? '' };
}

function logArgs(revs: string[], merges = false): string[] {
  return ['log', ...revs, ...(merges ? ['-m'] : []), '--reverse', '--raw', '-z', '--no-abbrev', LOG_FORMAT];
}

/**
 * Walks `git log <revs> --reverse --raw` and records, per wanted blob, every (commit, path) that
 * added or changed a file to it, oldest first. A pure rename (same blob, new path) is not a new
 * occurrence. Blobs that only appear through merge resolutions are looked up with -m.
 */
export async function attribute(
  repo: string,
  wanted: ReadonlySet<string>,
  revs: string[],
  signal?: AbortSignal,
): Promise<Map<string, Occurrence[]>> {
  const found = new Map<string, Occurrence[]>();
  await collect(rawChanges(repo, logArgs(revs), signal), wanted, found);
  await collectMerges(repo, wanted, revs, found, signal);
  return found;
}

async function collectMerges(repo: string, wanted: ReadonlySet<string>, revs: string[], found: Map<string, Occurrence[]>, signal?: AbortSignal): Promise<void> {
  const missing = [...wanted].filter((o) => !found.has(o));
  // merges show no raw diff without -m; this pass is rare and limited to the missing blobs
  if (missing.length > 0) await collect(rawChanges(repo, logArgs(revs, true), signal), new Set(missing), found);
}

/**
 * The attribution walk of a full-history scan, started with the scan: git writes the log into a
 * private temporary file while the blobs are scanned (memory stays bounded whatever the history's
 * size), and `attribute` reads it once the blobs with findings are known. `dispose` stops git and
 * removes the file.
 */
export class AttributionLog {
  private readonly dir: string;
  private readonly file: string;
  private readonly exited: Promise<void>;
  private readonly kill: () => void;

  constructor(
    private readonly repo: string,
    private readonly revs: string[],
    private readonly signal?: AbortSignal,
  ) {
    this.dir = mkdtempSync(join(tmpdir(), 'keywarden-log-'));
    this.file = join(this.dir, 'raw-log');
    let git;
    try {
      const fd = openSync(this.file, 'wx', 0o600);
      git = spawnGit(repo, logArgs(revs), { stdio: ['ignore', fd, 'pipe'], signal, handOver: [fd] });
    } catch (err) {
      rmSync(this.dir, { recursive: true, force: true });
      throw err;
    }
    const { child } = git;
    this.exited = git.closed.then((code) => {
      if (code !== 0) throw git.failure('log', code);
    });
    this.exited.catch(() => undefined);
    this.kill = () => {
      if (child.exitCode === null && child.signalCode === null) child.kill();
    };
  }

  async attribute(wanted: ReadonlySet<string>): Promise<Map<string, Occurrence[]>> {
    await this.exited;
    const found = new Map<string, Occurrence[]>();
    const text = createReadStream(this.file, { encoding: 'utf8', highWaterMark: 1 << 20 }) as AsyncIterable<string>;
    await collect(parseRawChanges(splitBatches(text, '\0')), wanted, found);
    await collectMerges(this.repo, wanted, this.revs, found, this.signal);
    return found;
  }

  dispose(): void {
    this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

async function collect(changes: AsyncIterable<Array<{ header: string } | RawChange>>, wanted: ReadonlySet<string>, found: Map<string, Occurrence[]>): Promise<void> {
  // a commit's header is parsed only if one of its changes is wanted
  let header: string | undefined;
  let order = 0;
  let commit: CommitInfo | undefined;
  const seen = new Set<string>();
  for await (const batch of changes) {
    for (const c of batch) {
      if ('header' in c) {
        header = c.header;
        order++;
        commit = undefined;
        continue;
      }
      if (header === undefined || !wanted.has(c.newOid) || !isFileMode(c.newMode)) continue;
      if ((c.status.startsWith('R') || c.status.startsWith('C')) && c.oldOid === c.newOid) continue;
      commit ??= parseCommitHeader(header);
      const key = `${commit.sha}\0${c.newOid}\0${c.path}`;
      if (seen.has(key)) continue; // -m repeats a merge's header and changes once per parent
      seen.add(key);
      let list = found.get(c.newOid);
      if (!list) found.set(c.newOid, (list = []));
      list.push({ commit, path: c.path, order });
    }
  }
}
