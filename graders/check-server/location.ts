// Where a user's check servers live and which one a check belongs to. Loaded by bin/dlgrade.js before anything
// else, so it uses Node's built-in modules only.
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The dlgrade installation this module belongs to (the folder holding dist/, or the sources when run by tsx). */
export function installationRoot(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const up = path.resolve(here, '..', '..');
  return path.basename(up) === 'dist' ? path.dirname(up) : up;
}

/** Whether a check may use (and leave behind) a check server, and why not when it may not. */
export type ServerSetting = { use: true } | { use: false; reason: string };

/**
 * `--no-server`, then DLGRADE_CHECK_SERVER (off/0/false or on/1/true), then off under CI (the CI variable set, as
 * every CI service does): a CI job is one-shot, and a server left behind would outlive it for nothing.
 */
export function serverSetting(argv: readonly string[], env: NodeJS.ProcessEnv): ServerSetting {
  if (argv.includes('--no-server')) return { use: false, reason: '--no-server' };
  const setting = env.DLGRADE_CHECK_SERVER?.trim().toLowerCase();
  if (setting === 'off' || setting === '0' || setting === 'false') return { use: false, reason: 'DLGRADE_CHECK_SERVER=off' };
  if (setting === 'on' || setting === '1' || setting === 'true') return { use: true };
  if (env.CI && env.CI !== 'false') return { use: false, reason: 'running under CI' };
  return { use: true };
}

/** How long a server waits for a check before it exits, in milliseconds: DLGRADE_CHECK_SERVER_IDLE seconds, default 15 min. */
export function idleMs(env: NodeJS.ProcessEnv): number {
  const seconds = Number(env.DLGRADE_CHECK_SERVER_IDLE);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 15 * 60 * 1000;
}

/**
 * The user's folder for check servers: $XDG_RUNTIME_DIR/dlgrade, else <tmp>/dlgrade-<uid>. Created 0700; a
 * folder that is not a plain folder of this user's with no access for anyone else is refused (anyone could have
 * made it in /tmp to catch the checks sent there).
 */
export function serverFolder(env: NodeJS.ProcessEnv = process.env): string {
  const uid = process.getuid?.() ?? 0;
  const dir = env.XDG_RUNTIME_DIR ? path.join(env.XDG_RUNTIME_DIR, 'dlgrade') : path.join(os.tmpdir(), `dlgrade-${uid}`);
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const info = lstatSync(dir);
  if (!info.isDirectory() || info.uid !== uid || (info.mode & 0o077) !== 0) {
    throw new Error(`${dir} is not a folder of this user's closed to others (mode ${(info.mode & 0o777).toString(8)}, owner ${info.uid})`);
  }
  return dir;
}

/** Settings a warm worker is started with: two checks share a server only if these are equal. */
const WORKER_ENV = ['DLGRADE_BWRAP', 'DLGRADE_SANDBOX_UID_BASE', 'DLGRADE_CGROUPS', 'DLGRADE_WORKER_DIR', 'DLGRADE_WARM'];

/** The interpreter a check runs submissions with: --python, then DLGRADE_PYTHON, then Debian's (as defaultPython). */
export function checkPython(argv: readonly string[], env: NodeJS.ProcessEnv): string {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--python' && argv[i + 1]) return argv[i + 1];
    if (argv[i].startsWith('--python=')) return argv[i].slice('--python='.length);
  }
  return env.DLGRADE_PYTHON ?? '/usr/bin/python3';
}

/**
 * The server a check belongs to, as a socket path: one per installation, Node, interpreter and worker settings,
 * so a check never reaches a worker started with another interpreter or sandbox. (Assignments share a server:
 * the worker holds nothing of one, and a different memory limit gets a worker of its own.)
 */
export function socketPath(folder: string, python: string, env: NodeJS.ProcessEnv, root = installationRoot()): string {
  const key = JSON.stringify([root, process.execPath, python, ...WORKER_ENV.map((name) => env[name] ?? null)]);
  return path.join(folder, `check-${createHash('sha256').update(key).digest('hex').slice(0, 16)}.sock`);
}

/**
 * A stamp of the build a process runs: the version, and the size and time of every compiled file and of the
 * Python runner. A server answers only a caller with its own stamp (a rebuilt or reinstalled dlgrade has another).
 */
export function buildStamp(root = installationRoot()): string {
  const hash = createHash('sha256');
  try {
    hash.update(JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).version ?? '');
  } catch {
    hash.update('no package.json');
  }
  const folders = [path.join(root, 'dist'), path.join(root, 'graders', 'runners', 'python')].filter((d) => existsSync(d));
  for (const folder of folders) {
    for (const rel of (readdirSync(folder, { recursive: true }) as string[]).sort()) {
      if (!/\.(js|py)$/.test(rel)) continue;
      const info = statSync(path.join(folder, rel), { throwIfNoEntry: false });
      if (info) hash.update(`${folder}/${rel}\0${info.size}\0${info.mtimeMs}\n`);
    }
  }
  return hash.digest('hex').slice(0, 24);
}
