// The check server end to end: a cold `dlgrade check` leaves a server behind, the next check is answered by it with
// the verdict of a check in its own process, and whatever goes wrong with the server (killed mid-check, another
// build) costs only the speed, never the verdict. `server stop` ends it and everything it started.
import { mkdtemp, readFile, utimes } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { BIN, ROOT, dlgrade } from './cli.js';
import type { ResultT } from '../../graders/result/schema.js';
import type { ServerStatus } from '../../graders/check-server/protocol.js';

const EXAMPLES = path.join(ROOT, 'examples', 'style-transfer');
let env: Record<string, string>;

/** `dlgrade check style-transfer` on an example, as JSON, telling where it ran (--verbose). */
async function check(example: string, ...extra: string[]) {
  const run = await dlgrade(['check', 'style-transfer', '--submission', path.join(EXAMPLES, example), '--json', '--verbose', ...extra], { env });
  expect(run.exitCode, run.stderr).toBe(0);
  return { result: JSON.parse(run.stdout) as ResultT, stderr: run.stderr };
}

/** Per question and case everything but the times. */
function verdicts(result: ResultT) {
  return JSON.parse(JSON.stringify(result.questions, (key, value) => (key === 'durationMs' ? undefined : value)));
}

async function statuses(): Promise<ServerStatus[]> {
  const run = await dlgrade(['server', 'status', '--json'], { env });
  expect(run.exitCode, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as ServerStatus[];
}

async function until<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A cold check that leaves a server, and that server once it listens. */
async function coldCheckLeavingServer(example: string): Promise<{ result: ResultT; server: ServerStatus }> {
  const cold = await check(example);
  expect(cold.stderr).toMatch(/dlgrade: checking in this process: /);
  const started = Number(/started a check server \(pid (\d+)\)/.exec(cold.stderr)?.[1]);
  expect(started).toBeGreaterThan(0);
  const server = await until(async () => (await statuses()).find((s) => s.pid === started), `the server ${started} to listen`);
  return { result: cold.result, server };
}

/** Live pids among `pids`. */
async function alive(pids: number[]): Promise<number[]> {
  const live: number[] = [];
  for (const pid of pids) {
    const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
    if (status && !/^State:\s+Z/m.test(status)) live.push(pid);
  }
  return live;
}

/** A process and all its descendants, by /proc's parent links. */
async function processTree(root: number): Promise<number[]> {
  const { readdir } = await import('node:fs/promises');
  const parents = new Map<number, number>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid) parents.set(Number(entry), ppid);
  }
  const tree = [root];
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, ppid] of parents) if (tree.includes(ppid) && !tree.includes(pid)) (tree.push(pid), (grew = true));
  }
  return tree;
}

beforeAll(async () => {
  // A server folder of the tests' own; DLGRADE_CHECK_SERVER=on overrides the suite's default (off) and CI's.
  env = { DLGRADE_CHECK_SERVER: 'on', XDG_RUNTIME_DIR: await mkdtemp(path.join(os.tmpdir(), 'dlgrade-check-server-')), DLGRADE_CHECK_SERVER_IDLE: '300' };
});

afterAll(async () => {
  await dlgrade(['server', 'stop'], { env });
});

describe('dlgrade check with a check server', () => {
  it('a cold check leaves a server, and the next checks are served with the verdict of a check without one', async () => {
    const { result: cold } = await coldCheckLeavingServer('correct');
    for (const example of ['correct', 'tv-abs']) {
      const served = await check(example);
      expect(served.stderr).toMatch(/dlgrade: checked by the check server \(pid \d+\)/);
      const alone = await check(example, '--no-server');
      expect(alone.stderr).toMatch(/checking in this process: the check server is off \(--no-server\)/);
      expect(alone.stderr).not.toMatch(/started a check server/);
      expect(verdicts(served.result)).toEqual(verdicts(alone.result));
      if (example === 'correct') expect(verdicts(served.result)).toEqual(verdicts(cold));
      expect(served.result.score).toEqual(alone.result.score);
    }
    const tvAbs = await check('tv-abs');
    expect(tvAbs.result.questions.filter((q) => q.status !== 'passed').map((q) => q.id)).toEqual(['tv_loss']);
    expect((await statuses())[0].checks).toBeGreaterThanOrEqual(3);
  });

  it('a server killed mid-check costs the check nothing but time: it is checked in its own process', async () => {
    const [server] = await statuses();
    const running = execa(process.execPath, [BIN, 'check', 'style-transfer', '--submission', path.join(EXAMPLES, 'hangs-in-tv'), '--json', '--verbose'], {
      cwd: ROOT,
      env: { NO_COLOR: '1', ...env },
      reject: false,
    });
    await until(async () => ((await statuses()).find((s) => s.pid === server.pid)?.inProgress ? true : undefined), 'the check to reach the server');
    process.kill(server.pid, 'SIGKILL');
    const run = await running;
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/checking in this process: the check server went away before the check ended/);
    const result = JSON.parse(run.stdout) as ResultT;
    expect(result.questions.filter((q) => q.status !== 'passed').map((q) => q.id)).toEqual(['tv_loss']);
    expect(await alive(await processTree(server.pid))).toEqual([]);
    // It left a new server behind; the next check is served by it.
    await until(async () => ((await statuses()).length === 1 ? true : undefined), 'the new server');
    expect((await check('correct')).stderr).toMatch(/checked by the check server/);
  });

  it('a server of another build refuses and exits; the check runs in its own process and leaves a current server', async () => {
    const [old] = await statuses();
    // What a rebuild does to the build stamp: a compiled file with a new time.
    const file = path.join(ROOT, 'dist', 'graders', 'check-server', 'protocol.js');
    const later = new Date(Date.now() + 1000);
    await utimes(file, later, later);
    const after = await check('tv-abs');
    expect(after.stderr).toMatch(/checking in this process: the check server refused: it runs another build of dlgrade/);
    expect(after.result.questions.filter((q) => q.status !== 'passed').map((q) => q.id)).toEqual(['tv_loss']);
    await until(async () => ((await alive([old.pid])).length === 0 ? true : undefined), 'the old server to exit');
    const fresh = await until(async () => (await statuses()).find((s) => s.pid !== old.pid), 'a server of the current build');
    expect(fresh.build).not.toBe(old.build);
  });

  it('server stop ends the server and every process it started', async () => {
    const [server] = await statuses();
    // A check first, so that its warm worker is certainly running.
    expect((await check('correct')).stderr).toMatch(/checked by the check server/);
    const tree = await processTree(server.pid);
    expect(tree.length).toBeGreaterThan(1);
    const stop = await dlgrade(['server', 'stop'], { env });
    expect(stop.stdout).toMatch(new RegExp(`stopped 1 check server \\(pid ${server.pid}\\)`));
    expect(await alive(tree)).toEqual([]);
    expect((await dlgrade(['server', 'status'], { env })).stdout).toMatch(/no check server is running/);
  });
});
