// The append-only record of every provider call: who (key fingerprint), where (provider, method,
// endpoint), what came back. Never the secret, never a header.
import { appendFile, mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

export interface AuditEntry {
  time: string;
  /** The operation the call belongs to: verify (later: describe, revoke, rotate). */
  action: string;
  provider: string;
  /** The finding's fingerprint and the secret's hash: identify the key, never reveal it. */
  fingerprint: string;
  secretHash: string;
  method?: string;
  /** Display URL: any secret in the path replaced by a placeholder. */
  endpoint?: string;
  attempt?: number;
  httpStatus?: number;
  /** For a call: "ok", "retry", "error"; for an operation's last line: its outcome (live, invalid...). */
  result: string;
  /** A short reason: "timed out after 10000 ms", "rate limited: retrying in 1200 ms". */
  detail?: string;
  durationMs?: number;
}

export interface AuditSink {
  record(entry: AuditEntry): void;
  /** Resolves once every recorded entry is on disk; rejects with the first write error. */
  flush(): Promise<void>;
}

/**
 * KEYWARDEN_AUDIT_LOG, else the user's state directory ($XDG_STATE_HOME or ~/.local/state, and
 * %LOCALAPPDATA% on Windows)/keywarden/audit.jsonl: outside any repository, so it is never committed.
 */
export function defaultAuditLogPath(env: NodeJS.ProcessEnv, cwd: string): string {
  if (env.KEYWARDEN_AUDIT_LOG) return resolve(cwd, env.KEYWARDEN_AUDIT_LOG);
  if (process.platform === 'win32' && env.LOCALAPPDATA) return join(env.LOCALAPPDATA, 'keywarden', 'audit.jsonl');
  const state = env.XDG_STATE_HOME || join(env.HOME || homedir(), '.local', 'state');
  return join(state, 'keywarden', 'audit.jsonl');
}

/** Appends one JSON line per entry, in order; each line is one write (O_APPEND), mode 0600. */
export class JsonlAuditLog implements AuditSink {
  private chain: Promise<void> = Promise.resolve();
  private failure: unknown;
  private dirReady = false;

  constructor(readonly file: string) {}

  record(entry: AuditEntry): void {
    const line = `${JSON.stringify(entry)}\n`;
    this.chain = this.chain.then(async () => {
      if (this.failure) return;
      try {
        if (!this.dirReady) {
          await mkdir(dirname(this.file), { recursive: true, mode: 0o700 });
          this.dirReady = true;
        }
        await appendFile(this.file, line, { mode: 0o600, flag: 'a' });
      } catch (err) {
        this.failure = err;
      }
    });
  }

  async flush(): Promise<void> {
    await this.chain;
    if (this.failure) throw this.failure;
  }
}

/** Keeps entries in memory (library use and tests). */
export class MemoryAuditLog implements AuditSink {
  readonly entries: AuditEntry[] = [];
  record(entry: AuditEntry): void {
    this.entries.push(entry);
  }
  async flush(): Promise<void> {}
}
