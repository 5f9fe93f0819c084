/**
 * Output paths checked before a command starts (`--pcap`, `--record`, `--out`, `--junit`): a
 * path that cannot be written is a usage error naming the flag and the path, exit 2, rather than
 * a stack trace after the run, which would lose the run.
 */
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UsageError } from './args.ts';

/**
 * Refuses `path` for `--flag` unless a file can be written there; with `makeDirs`, a directory
 * that does not exist yet is fine when it can be made (the command makes it).
 */
export function checkOutputFile(flag: string, path: string, makeDirs = false): void {
  const full = resolve(path);
  if (existsSync(full) && statSync(full).isDirectory())
    throw new UsageError(`--${flag} ${path}: is a directory, not a file`);
  if (existsSync(full)) return requireWritable(flag, path, full);
  const dir = dirname(full);
  if (makeDirs) return checkOutputDir(flag, dir);
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new UsageError(`--${flag} ${path}: directory ${dirname(path)} does not exist`);
  requireWritable(flag, path, dir);
}

/** Refuses `path` for `--flag` unless it is a writable directory or one can be made there. */
export function checkOutputDir(flag: string, path: string): void {
  let existing = resolve(path);
  while (!existsSync(existing)) existing = dirname(existing);
  if (!statSync(existing).isDirectory()) {
    const what = existing === resolve(path) ? 'is a file' : `${existing} is a file`;
    throw new UsageError(`--${flag} ${path}: ${what}, not a directory`);
  }
  requireWritable(flag, path, existing);
}

function requireWritable(flag: string, path: string, target: string): void {
  try {
    accessSync(target, constants.W_OK);
  } catch {
    throw new UsageError(`--${flag} ${path}: not writable (${target})`);
  }
}
