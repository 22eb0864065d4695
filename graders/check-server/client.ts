// The caller's side of the check server: hand a check to the server if one is running, else say why not (the check
// then runs here, as it always did, and leaves a server for the next one). Loaded by bin/dlgrade.js before the CLI,
// so it uses Node's built-in modules only.
import net from 'node:net';
import { openSync, closeSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { startDetached } from '../process/detached.js';
import { PROTOCOL_VERSION, onMessages, send, type Reply, type Request, type ServerStatus } from './protocol.js';
import { buildStamp, checkPython, idleMs, installationRoot, serverFolder, serverSetting, socketPath } from './location.js';

/** A caller gives up on a server it has not heard from for this long (the server says "alive" every second). */
export const SILENCE_LIMIT_MS = 10_000;

export type CheckOnServer =
  | { served: true; exitCode: number; pid: number }
  /** `startServer`: none answers for this check, so the cold check should leave one behind. */
  | { served: false; reason: string; startServer: boolean; socket?: string };

/** What the last attempt in this process gave, for the cold check that follows it (see leaveServerBehind). */
let lastAttempt: CheckOnServer | undefined;

/** The outcome of this process's attempt to hand its check to a server, if it made one. */
export function serverAttempt(): CheckOnServer | undefined {
  return lastAttempt;
}

export interface CheckStreams {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
}

/**
 * Runs `dlgrade <argv>` (argv starting with `check`) on the check server for this interpreter and build. The
 * server's output is held until the check has ended and printed only then, so a server that dies mid-check
 * leaves nothing half-printed: the caller checks cold instead and prints that.
 */
export async function checkOnServer(argv: string[], env: NodeJS.ProcessEnv = process.env, streams: CheckStreams = process, silenceMs = SILENCE_LIMIT_MS): Promise<CheckOnServer> {
  lastAttempt = await attempt(argv, env, streams, silenceMs);
  return lastAttempt;
}

async function attempt(argv: string[], env: NodeJS.ProcessEnv, streams: CheckStreams, silenceMs: number): Promise<CheckOnServer> {
  const setting = serverSetting(argv, env);
  if (!setting.use) return { served: false, reason: `the check server is off (${setting.reason})`, startServer: false };
  // --watch keeps its own warm worker; help and profiling are about this process.
  if (argv.some((a) => a === '--watch' || a === '-w' || a === '--help' || a === '-h') || env.DLGRADE_PROFILE) {
    return { served: false, reason: 'this kind of check runs here', startServer: false };
  }
  let socket: string;
  try {
    socket = socketPath(serverFolder(env), checkPython(argv, env), env);
  } catch (error) {
    return { served: false, reason: `no place for a check server: ${(error as Error).message}`, startServer: false };
  }
  // Made once connected: when no server runs (a cold check) the build stamp's walk over dist/ is not paid for.
  const request = (): Request => ({
    op: 'check',
    protocol: PROTOCOL_VERSION,
    build: buildStamp(),
    argv,
    cwd: process.cwd(),
    env: Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined)),
    stdoutTTY: streams.stdout.isTTY === true,
    stderrTTY: streams.stderr.isTTY === true,
    ...(streams.stdout.columns ? { columns: streams.stdout.columns } : {}),
  });
  const held: { stream: 'out' | 'err'; data: string }[] = [];
  const outcome = await exchange(socket, request, silenceMs, (reply) => {
    if (reply.type === 'out' || reply.type === 'err') held.push({ stream: reply.type, data: reply.data });
  });
  if (outcome.kind === 'exit') {
    for (const { stream, data } of held) (stream === 'out' ? streams.stdout : streams.stderr).write(data);
    return { served: true, exitCode: outcome.code, pid: outcome.pid };
  }
  return { served: false, reason: outcome.reason, startServer: true, socket };
}

type Exchange = { kind: 'exit'; code: number; pid: number } | { kind: 'not-served'; reason: string };

/** Sends the request and follows the replies to an exit, a refusal, a silence or a lost connection. */
function exchange(socketFile: string, request: () => Request, silenceMs: number, onReply: (reply: Reply) => void): Promise<Exchange> {
  return new Promise((resolve) => {
    const socket = net.connect(socketFile);
    let pid = 0;
    let settled = false;
    let silence: NodeJS.Timeout | undefined;
    const finish = (result: Exchange) => {
      if (settled) return;
      settled = true;
      clearTimeout(silence);
      socket.destroy();
      resolve(result);
    };
    const listen = () => {
      clearTimeout(silence);
      silence = setTimeout(() => {
        // A server that stopped answering is of no use to anyone: it is told to go, and this check runs here.
        if (pid) {
          try {
            process.kill(pid, 'SIGTERM');
          } catch {
            // Already gone.
          }
        }
        finish({ kind: 'not-served', reason: `the check server said nothing for ${silenceMs / 1000} s` });
      }, silenceMs);
    };
    socket.on('error', (error: NodeJS.ErrnoException) => {
      const none = error.code === 'ENOENT' || error.code === 'ECONNREFUSED';
      finish({ kind: 'not-served', reason: none ? 'no check server is running' : `the check server could not be reached (${error.message})` });
    });
    socket.on('close', () => finish({ kind: 'not-served', reason: 'the check server went away before the check ended' }));
    socket.on('connect', () => {
      listen();
      send(socket, request());
    });
    onMessages<Reply>(
      socket,
      (reply) => {
        listen();
        if (reply.type === 'accepted') pid = reply.pid;
        else if (reply.type === 'exit') finish({ kind: 'exit', code: reply.code, pid });
        else if (reply.type === 'refused') finish({ kind: 'not-served', reason: `the check server refused: ${reply.reason}` });
        else onReply(reply);
      },
      (why) => finish({ kind: 'not-served', reason: `the check server sent ${why}` }),
    );
  });
}

/**
 * After a cold check that found no server: starts one, detached, for the next check (this process does not wait for
 * it). Returns its pid, or undefined when none was started.
 */
export function leaveServerBehind(options: { python: string; memoryMb: number }, env: NodeJS.ProcessEnv = process.env): number | undefined {
  const attempted = lastAttempt;
  if (!attempted || attempted.served || !attempted.startServer || !attempted.socket) return undefined;
  return startServer(attempted.socket, options, env);
}

/** Spawns the server process for `socket`, detached, its output going to a log file beside the socket. */
export function startServer(socket: string, options: { python: string; memoryMb: number }, env: NodeJS.ProcessEnv = process.env): number | undefined {
  const entry = path.join(installationRoot(), 'dist', 'scripts', 'check-server.js');
  const log = openSync(socket.replace(/\.sock$/, '.log'), 'w', 0o600);
  try {
    const args = [entry, '--socket', socket, '--python', options.python, '--memory-mb', String(options.memoryMb), '--idle-ms', String(idleMs(env))];
    return startDetached(process.execPath, args, { env, cwd: path.dirname(socket), logFd: log });
  } finally {
    closeSync(log);
  }
}

/** The status of every check server of this user, whatever its build or interpreter. */
export async function serverStatuses(env: NodeJS.ProcessEnv = process.env): Promise<{ socket: string; status?: ServerStatus }[]> {
  const folder = serverFolder(env);
  const sockets = readdirSync(folder)
    .filter((name) => /^check-[0-9a-f]+\.sock$/.test(name))
    .map((name) => path.join(folder, name));
  return Promise.all(sockets.map(async (socket) => ({ socket, status: await askServer<ServerStatus>(socket, 'status') })));
}

/** Asks every check server of this user to stop and waits until each process is gone; returns the pids stopped. */
export async function stopServers(env: NodeJS.ProcessEnv = process.env, timeoutMs = 10_000): Promise<number[]> {
  const stopped: number[] = [];
  for (const { socket, status } of await serverStatuses(env)) {
    if (!status) continue;
    await askServer(socket, 'stop');
    stopped.push(status.pid);
  }
  const end = Date.now() + timeoutMs;
  for (const pid of stopped) {
    while (alive(pid) && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    // One that did not finish its check in time goes now.
    if (alive(pid)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Gone meanwhile.
      }
    }
  }
  return stopped;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** One status or stop request; undefined when nothing answers. */
export function askServer<T>(socketFile: string, op: 'status' | 'stop', timeoutMs = 2000): Promise<T | undefined> {
  return new Promise((resolve) => {
    const socket = net.connect(socketFile);
    const done = (value: T | undefined) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(value);
    };
    const timer = setTimeout(() => done(undefined), timeoutMs);
    socket.on('error', () => done(undefined));
    socket.on('close', () => done(undefined));
    socket.on('connect', () => send(socket, { op, protocol: PROTOCOL_VERSION }));
    onMessages<Reply>(
      socket,
      (reply) => done(reply.type === 'status' ? (reply.status as T) : reply.type === 'stopping' ? (reply.pid as T) : undefined),
      () => done(undefined),
    );
  });
}
