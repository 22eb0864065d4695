// What end-to-end tests start and unpack the way a person would: `dlgrade review` until it prints its URL, and a
// Gradescope autograder zip unpacked as Gradescope does.
import { execa, type ResultPromise } from 'execa';
import { BIN, ROOT } from './cli.js';

/** A running `dlgrade review ASSIGNMENT OUT --scores FILE` and the URL it printed. */
export interface ReviewProcess {
  url: string;
  /** Stops the server and waits for it. */
  stop(): Promise<void>;
}

/** Starts the review page's server and resolves once it says where it listens (rejects if it exits first). */
export async function startReview(assignment: string, out: string, scores: string): Promise<ReviewProcess> {
  const server: ResultPromise = execa(process.execPath, [BIN, 'review', assignment, out, '--scores', scores], { cwd: ROOT, env: { NO_COLOR: '1' }, reject: false });
  const url = await new Promise<string>((resolve, reject) => {
    let seen = '';
    server.stdout!.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      const match = /at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(seen);
      if (match) resolve(match[1]);
    });
    server.once('exit', () => reject(new Error(`review exited: ${seen}`)));
  });
  return {
    url,
    stop: async () => {
      server.kill('SIGTERM');
      await server;
    },
  };
}

/** Unpacks an autograder zip like Gradescope does (files at the archive root into `dir`), keeping the Unix modes. */
export async function unzipLikeGradescope(python: string, zipFile: string, dir: string): Promise<void> {
  const script = [
    'import os, sys, zipfile',
    'with zipfile.ZipFile(sys.argv[1]) as z:',
    '    for info in z.infolist():',
    '        target = z.extract(info, sys.argv[2])',
    '        mode = (info.external_attr >> 16) & 0o777',
    '        if mode: os.chmod(target, mode)',
  ].join('\n');
  await execa(python, ['-c', script, zipFile, dir]);
}
