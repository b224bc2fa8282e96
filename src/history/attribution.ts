// Which commits and paths introduced the blobs that have findings. Resolved after scanning, for
// those blobs only, so memory stays bounded by the findings rather than by the history.
import type { CommitInfo } from '../types.js';
import { isFileMode, rawChanges } from '../sources/git/objects.js';

export interface Occurrence {
  /** Absent for staged content, which no commit holds yet. */
  commit?: CommitInfo;
  path: string;
}

export const LOG_FORMAT = '--format=%x01%H%x02%an%x02%ae%x02%aI%x02%s';

export function parseCommitHeader(header: string): CommitInfo {
  const [sha, author, email, date, message] = header.split('\u0002');
  return { sha: sha!, author: author ?? '', email: email ?? '', date: date ?? '', message: message ?? '' };
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
  await collect(repo, ['log', ...revs, '--reverse', '--raw', '-z', '--no-abbrev', LOG_FORMAT], wanted, found, signal);
  const missing = [...wanted].filter((o) => !found.has(o));
  if (missing.length > 0) {
    // merges show no raw diff without -m; this pass is rare and limited to the missing blobs
    await collect(repo, ['log', ...revs, '-m', '--reverse', '--raw', '-z', '--no-abbrev', LOG_FORMAT], new Set(missing), found, signal);
  }
  return found;
}

async function collect(
  repo: string,
  args: string[],
  wanted: ReadonlySet<string>,
  found: Map<string, Occurrence[]>,
  signal?: AbortSignal,
): Promise<void> {
  let commit: CommitInfo | undefined;
  const seen = new Set<string>();
  for await (const c of rawChanges(repo, args, signal)) {
    if ('header' in c) {
      commit = parseCommitHeader(c.header);
      continue;
    }
    if (!commit || !wanted.has(c.newOid) || !isFileMode(c.newMode)) continue;
    if ((c.status.startsWith('R') || c.status.startsWith('C')) && c.oldOid === c.newOid) continue;
    const key = `${commit.sha}\0${c.newOid}\0${c.path}`;
    if (seen.has(key)) continue; // -m repeats a merge's header and changes once per parent
    seen.add(key);
    let list = found.get(c.newOid);
    if (!list) found.set(c.newOid, (list = []));
    list.push({ commit, path: c.path });
  }
}
