import { mkdtemp, realpath } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CheckServer, AlreadyRunning, type CheckOutput, type CheckRequest } from './server.js';
import { askServer, checkOnServer, serverStatuses, type CheckStreams } from './client.js';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { buildStamp, checkPython, serverFolder, socketPath } from './location.js';
import { asCaller } from './as-caller.js';
import { onMessages, send, type Request } from './protocol.js';

/** Streams that keep what is written, in order. */
function capture(): CheckStreams & { text: string[] } {
  const text: string[] = [];
  const stream = (name: string) => ({ isTTY: false, write: (data: string) => text.push(`${name}:${data}`) }) as unknown as NodeJS.WriteStream;
  return { stdout: stream('out'), stderr: stream('err'), text };
}

let servers: CheckServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.stop('test over')));
  servers = [];
});

/** A private server folder, and the socket the client looks for there. */
async function place() {
  const env = { XDG_RUNTIME_DIR: await mkdtemp(path.join(os.tmpdir(), 'dlgrade-server-')), DLGRADE_CHECK_SERVER: 'on' };
  return { env, socket: socketPath(serverFolder(env), checkPython([], env), env) };
}

async function startServer(socket: string, handle: (request: CheckRequest, output: CheckOutput) => Promise<number>, options: { build?: string; idleMs?: number } = {}) {
  const server = new CheckServer({ socketPath: socket, build: options.build ?? buildStamp(), idleMs: options.idleMs ?? 60_000, handle });
  await server.listen();
  servers.push(server);
  return server;
}

describe('check server and client', () => {
  it('runs a check on the server and prints its output, in order, with its exit code', async () => {
    const { env, socket } = await place();
    const seen: CheckRequest[] = [];
    await startServer(socket, async (request, output) => {
      seen.push(request);
      output.out('table\n');
      output.err('warning\n');
      output.out('total\n');
      return 2;
    });
    const streams = capture();
    const outcome = await checkOnServer(['check', 'lab', '--json'], env, streams);
    expect(outcome).toMatchObject({ served: true, exitCode: 2, pid: process.pid });
    expect(streams.text).toEqual(['out:table\n', 'err:warning\n', 'out:total\n']);
    expect(seen[0]).toMatchObject({ argv: ['check', 'lab', '--json'], cwd: process.cwd(), env: { DLGRADE_CHECK_SERVER: 'on' } });
  });

  it('does not try when turned off, and says why', async () => {
    const { env } = await place();
    expect(await checkOnServer(['check', 'lab', '--no-server'], env, capture())).toMatchObject({ served: false, reason: expect.stringMatching(/--no-server/), startServer: false });
    expect(await checkOnServer(['check', 'lab'], { ...env, DLGRADE_CHECK_SERVER: 'off' }, capture())).toMatchObject({ served: false, startServer: false });
    expect(await checkOnServer(['check', 'lab', '--watch'], env, capture())).toMatchObject({ served: false, startServer: false });
  });

  it('falls back when no server runs, asking for one to be started', async () => {
    const { env, socket } = await place();
    expect(await checkOnServer(['check', 'lab'], env, capture())).toEqual({ served: false, reason: 'no check server is running', startServer: true, socket });
  });

  it('a server of another build refuses, and stops so a new one can take its place', async () => {
    const { env, socket } = await place();
    let ran = false;
    const server = await startServer(
      socket,
      async () => {
        ran = true;
        return 0;
      },
      { build: 'an older build' },
    );
    const outcome = await checkOnServer(['check', 'lab'], env, capture());
    expect(outcome).toMatchObject({ served: false, reason: expect.stringMatching(/another build of dlgrade/), startServer: true });
    expect(await server.stopped).toMatch(/refused a caller/);
    expect(ran).toBe(false);
  });

  it('prints nothing of a check the server did not finish, and falls back', async () => {
    const { env, socket } = await place();
    // A server that dies mid-check: it accepts, writes half a report, and the connection ends.
    const dying = net.createServer((conn) =>
      onMessages<Request>(conn, () => {
        send(conn, { type: 'accepted', pid: 0 });
        send(conn, { type: 'out', data: 'half a table' });
        conn.destroy();
      }, () => {}),
    );
    await new Promise<void>((resolve) => dying.listen(socket, resolve));
    const streams = capture();
    const outcome = await checkOnServer(['check', 'lab'], env, streams);
    dying.close();
    expect(outcome).toMatchObject({ served: false, reason: 'the check server went away before the check ended', startServer: true });
    expect(streams.text).toEqual([]);
  });

  it('gives up on a server that falls silent', async () => {
    const { env, socket } = await place();
    const silent = net.createServer((conn) => onMessages<Request>(conn, () => send(conn, { type: 'accepted', pid: 0 }), () => {}));
    await new Promise<void>((resolve) => silent.listen(socket, resolve));
    const outcome = await checkOnServer(['check', 'lab'], env, capture(), 300);
    silent.close();
    expect(outcome).toMatchObject({ served: false, reason: expect.stringMatching(/said nothing/) });
  });

  it('runs checks one at a time, in the order they came', async () => {
    const { env, socket } = await place();
    let running = 0;
    let most = 0;
    const order: string[] = [];
    await startServer(socket, async (request) => {
      most = Math.max(most, ++running);
      order.push(request.argv[1]);
      await new Promise((r) => setTimeout(r, 50));
      running--;
      return 0;
    });
    const outcomes = await Promise.all(['a', 'b', 'c'].map((id) => checkOnServer(['check', id], env, capture())));
    expect(outcomes.every((o) => o.served)).toBe(true);
    expect(most).toBe(1);
    expect(order.sort()).toEqual(['a', 'b', 'c']);
  });

  it('stops after the idle period', async () => {
    const { socket } = await place();
    const server = await startServer(socket, async () => 0, { idleMs: 100 });
    expect(await server.stopped).toBe('idle for 0 s');
  });

  it('replaces the socket of a dead server, and refuses to start beside a live one', async () => {
    const { socket } = await place();
    // A process killed while listening leaves its socket file behind.
    const script = `require('net').createServer().listen(${JSON.stringify(socket)}, () => process.kill(process.pid, 'SIGKILL'))`;
    spawnSync(process.execPath, ['-e', script]);
    expect(existsSync(socket)).toBe(true);
    await startServer(socket, async () => 0);
    await expect(new CheckServer({ socketPath: socket, build: 'x', idleMs: 1000, handle: async () => 0 }).listen()).rejects.toBeInstanceOf(AlreadyRunning);
  });

  it('status lists the servers and stop ends them', async () => {
    const { env, socket } = await place();
    const server = await startServer(socket, async () => 0);
    const statuses = await serverStatuses(env);
    expect(statuses).toHaveLength(1);
    expect(statuses[0].status).toMatchObject({ pid: process.pid, socket, checks: 0 });
    // (stopServers also waits for the process to end, and this server's process is the test's own.)
    expect(await askServer(socket, 'stop')).toBe(process.pid);
    expect(await server.stopped).toBe('asked to stop');
    expect(existsSync(socket)).toBe(false);
  });
});

describe('asCaller', () => {
  it("runs with the caller's folder, environment and streams, and puts this process's back", async () => {
    const cwd = process.cwd();
    const folder = await realpath(await mkdtemp(path.join(os.tmpdir(), 'dlgrade-caller-')));
    const written: string[] = [];
    let inside: { cwd: string; env: string | undefined; path: string | undefined; tty: boolean | undefined } | undefined;
    const code = await asCaller(
      { cwd: folder, env: { DLGRADE_STUDENT_ID: 'alice' }, stdoutTTY: true, stderrTTY: false },
      { out: (d) => written.push(`out:${d}`), err: (d) => written.push(`err:${d}`) },
      async () => {
        inside = { cwd: process.cwd(), env: process.env.DLGRADE_STUDENT_ID, path: process.env.PATH, tty: process.stdout.isTTY };
        process.stdout.write('result\n');
        process.stderr.write(Buffer.from('warning\n'));
        process.exitCode = 2;
      },
    );
    expect(code).toBe(2);
    expect(inside).toEqual({ cwd: folder, env: 'alice', path: undefined, tty: true });
    expect(written).toEqual(['out:result\n', 'err:warning\n']);
    expect(process.cwd()).toBe(cwd);
    expect(process.env.DLGRADE_STUDENT_ID).toBeUndefined();
    expect(process.env.PATH).toBeDefined();
    expect(process.exitCode).toBeUndefined();
  });
});
