// The check server's socket side: one check at a time in arrival order, a heartbeat to every waiting caller, an
// exit after an idle period or when a caller runs another build. What a check does is the handler's business.
import net, { type Socket } from 'node:net';
import { chmodSync, unlinkSync } from 'node:fs';
import { PROTOCOL_VERSION, onMessages, send, type Reply, type Request, type ServerStatus } from './protocol.js';
import { askServer } from './client.js';

/** The request of a check, as the handler receives it. */
export type CheckRequest = Extract<Request, { op: 'check' }>;

/** Where a check's output goes: to its caller, who prints it once the check has ended. */
export interface CheckOutput {
  out(data: string): void;
  err(data: string): void;
}

export interface CheckServerOptions {
  socketPath: string;
  /** This process's build (location.ts buildStamp). */
  build: string;
  /** Exit after this long without a check. */
  idleMs: number;
  /** Runs one check and returns its exit code; never called for two checks at once. */
  handle(request: CheckRequest, output: CheckOutput): Promise<number>;
  /** Extra lines for `dlgrade server status`. */
  details?(): Record<string, string>;
}

/** How often a caller hears that its check is still being worked on (callers give up after a silence). */
export const HEARTBEAT_MS = 1000;

/** The server is already running elsewhere: this process is not needed. */
export class AlreadyRunning extends Error {}

export class CheckServer {
  private readonly server = net.createServer((socket) => this.accept(socket));
  private queue: Promise<void> = Promise.resolve();
  private waiting = 0;
  private checks = 0;
  private idleTimer?: NodeJS.Timeout;
  private idleSince = Date.now();
  private readonly startedAt = new Date();
  private stopping?: Promise<void>;
  /** Resolves when the server has stopped (idle, stale build, `server stop`). */
  readonly stopped: Promise<string>;
  private resolveStopped!: (why: string) => void;

  constructor(private readonly options: CheckServerOptions) {
    this.stopped = new Promise((resolve) => (this.resolveStopped = resolve));
  }

  /** Listens on the socket; rejects with AlreadyRunning when a live server holds it. A dead server's socket is replaced. */
  async listen(): Promise<void> {
    try {
      await this.tryListen();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
      if ((await askServer(this.options.socketPath, 'status')) !== undefined) throw new AlreadyRunning(`a check server already answers on ${this.options.socketPath}`);
      unlinkSync(this.options.socketPath);
      await this.tryListen();
    }
    // The folder is the user's alone already; the socket is too, whatever the umask.
    chmodSync(this.options.socketPath, 0o600);
    this.armIdleTimer();
  }

  private tryListen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.socketPath, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
  }

  /** Stops accepting, lets the check under way (and those queued) finish, and resolves `stopped`. */
  stop(why: string): Promise<void> {
    this.stopping ??= (async () => {
      clearTimeout(this.idleTimer);
      // Closing the listening socket removes its file, so the next check goes cold and starts a new server.
      await new Promise<void>((resolve) => this.server.close(() => resolve()));
      await this.queue;
      this.resolveStopped(why);
    })();
    return this.stopping;
  }

  private armIdleTimer(): void {
    clearTimeout(this.idleTimer);
    this.idleSince = Date.now();
    this.idleTimer = setTimeout(() => {
      if (this.waiting === 0) void this.stop(`idle for ${Math.round(this.options.idleMs / 1000)} s`);
    }, this.options.idleMs);
  }

  private status(): ServerStatus {
    const idleLeft = this.waiting > 0 ? this.options.idleMs : this.options.idleMs - (Date.now() - this.idleSince);
    return {
      pid: process.pid,
      build: this.options.build,
      socket: this.options.socketPath,
      startedAt: this.startedAt.toISOString(),
      checks: this.checks,
      inProgress: this.waiting,
      idleExitInS: Math.max(0, Math.round(idleLeft / 1000)),
      details: this.options.details?.() ?? {},
    };
  }

  private accept(socket: Socket): void {
    socket.on('error', () => {});
    let handled = false;
    onMessages<Request>(
      socket,
      (request) => {
        if (handled) return;
        handled = true;
        if (request.protocol !== PROTOCOL_VERSION) return this.refuse(socket, `it speaks protocol ${PROTOCOL_VERSION}, the caller ${String(request.protocol)}`);
        if (request.op === 'status') {
          send(socket, { type: 'status', status: this.status() });
          socket.end();
        } else if (request.op === 'stop') {
          send(socket, { type: 'stopping', pid: process.pid });
          socket.end();
          void this.stop('asked to stop');
        } else if (request.op === 'check') {
          if (request.build !== this.options.build) return this.refuse(socket, `it runs another build of dlgrade (${this.options.build}, the caller ${request.build})`);
          this.enqueue(socket, request);
        } else this.refuse(socket, `unknown request ${JSON.stringify((request as { op?: unknown }).op)}`);
      },
      () => socket.destroy(),
    );
  }

  /** Says no and, for a server that cannot serve this caller's build or protocol, stops: the caller starts a new one. */
  private refuse(socket: Socket, reason: string): void {
    send(socket, { type: 'refused', reason });
    socket.end();
    void this.stop(`refused a caller: ${reason}`);
  }

  private enqueue(socket: Socket, request: CheckRequest): void {
    if (this.stopping) {
      send(socket, { type: 'refused', reason: 'the server is stopping' });
      socket.end();
      return;
    }
    this.waiting++;
    clearTimeout(this.idleTimer);
    send(socket, { type: 'accepted', pid: process.pid });
    const heartbeat = setInterval(() => send(socket, { type: 'alive' }), HEARTBEAT_MS);
    const reply = (message: Reply) => void send(socket, message);
    this.queue = this.queue.then(async () => {
      try {
        // A caller that went away (Ctrl-C) while queued is not checked for nothing.
        if (socket.destroyed) return;
        const code = await this.options.handle(request, { out: (data) => reply({ type: 'out', data }), err: (data) => reply({ type: 'err', data }) });
        this.checks++;
        reply({ type: 'exit', code });
      } catch (error) {
        // Not a verdict: the caller checks cold instead.
        reply({ type: 'refused', reason: `the check failed on the server: ${(error as Error).message}` });
      } finally {
        clearInterval(heartbeat);
        socket.end();
        if (--this.waiting === 0 && !this.stopping) this.armIdleTimer();
      }
    });
  }
}
