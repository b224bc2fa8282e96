// Which commits and paths introduced the blobs that have findings. Resolved after scanning, for
// those blobs only, so memory stays bounded by the findings rather than by the history.
import type { CommitInfo } from '../types.js';
import { isFileMode, rawChanges } from '../sources/git/objects.js';

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
  // a commit's header is parsed only if one of its changes is wanted
  let header: string | undefined;
  let order = 0;
  let commit: CommitInfo | undefined;
  const seen = new Set<string>();
  for await (const batch of rawChanges(repo, args, signal)) {
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
