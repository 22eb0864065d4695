// What a check server and its callers say to each other over the socket: one JSON object per line.
import type { Socket } from 'node:net';

/** Bumped whenever a message changes shape; a server answers only its own version. */
export const PROTOCOL_VERSION = 1;

/** A caller's request: run `dlgrade check` as this process would have, or report, or stop. */
export type Request =
  | {
      op: 'check';
      protocol: number;
      /** The caller's build (location.ts buildStamp): a server of another build refuses and exits. */
      build: string;
      /** The arguments after `dlgrade`, starting with `check`. */
      argv: string[];
      cwd: string;
      env: Record<string, string>;
      /** What the caller's streams are, so output is coloured and sized as it would be there. */
      stdoutTTY: boolean;
      stderrTTY: boolean;
      columns?: number;
    }
  | { op: 'status'; protocol: number }
  | { op: 'stop'; protocol: number };

/** What a server says about itself (`dlgrade server status`). */
export interface ServerStatus {
  pid: number;
  build: string;
  socket: string;
  startedAt: string;
  /** Checks answered so far. */
  checks: number;
  /** Checks under way or waiting their turn now. */
  inProgress: number;
  /** Seconds left before it exits unless a check arrives. */
  idleExitInS: number;
  /** What it was started for: interpreter and warm workers. */
  details: Record<string, string>;
}

/** A server's messages. A check ends with `exit`; anything else ending the connection means it was not served. */
export type Reply =
  | { type: 'accepted'; pid: number }
  | { type: 'alive' }
  | { type: 'out'; data: string }
  | { type: 'err'; data: string }
  | { type: 'exit'; code: number }
  | { type: 'refused'; reason: string }
  | { type: 'status'; status: ServerStatus }
  | { type: 'stopping'; pid: number };

/** Writes one message; false when the other side is gone. */
export function send(socket: Socket, message: Request | Reply): boolean {
  if (socket.destroyed || !socket.writable) return false;
  socket.write(JSON.stringify(message) + '\n');
  return true;
}

/** Calls `onMessage` for every complete line received; a line that is not JSON ends the connection as a protocol error. */
export function onMessages<T>(socket: Socket, onMessage: (message: T) => void, onProtocolError: (why: string) => void): void {
  let pending = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    pending += chunk;
    let newline: number;
    while ((newline = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      if (!line.trim()) continue;
      let message: T;
      try {
        message = JSON.parse(line) as T;
      } catch {
        onProtocolError(`not a JSON message: ${line.slice(0, 80)}`);
        return;
      }
      onMessage(message);
    }
  });
}
