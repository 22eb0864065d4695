// Output folders are made, and found writable, before any work: a batch never grades a class into a folder it cannot
// write, and a wrong -o is a sentence naming the folder, not a stack trace.
import { access, constants, mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { DlgradeError } from '../errors.js';

/**
 * Creates `dir` and its missing parents, one level at a time (Node's recursive mkdir never returns where a parent
 * refuses new folders, as /proc does), and checks that it can be written. `option` names the flag in the message.
 */
export async function prepareOutputFolder(dir: string, option: string): Promise<void> {
  const target = path.resolve(dir);
  const missing: string[] = [];
  let existing = target;
  for (;;) {
    const info = await stat(existing).catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' || error.code === 'ENOTDIR' ? undefined : refuse(option, target, error)));
    if (info) {
      if (!info.isDirectory()) {
        throw new DlgradeError('USAGE', `${option} ${target}: ${existing === target ? 'it' : existing} is a file, not a folder`);
      }
      break;
    }
    missing.unshift(existing);
    const parent = path.dirname(existing);
    if (parent === existing) break;
    existing = parent;
  }
  for (const folder of missing) {
    await mkdir(folder).catch((error: NodeJS.ErrnoException) => (error.code === 'EEXIST' ? undefined : refuse(option, target, error)));
  }
  await access(target, constants.W_OK | constants.X_OK).catch((error: NodeJS.ErrnoException) => refuse(option, target, error));
}

function refuse(option: string, target: string, error: NodeJS.ErrnoException): never {
  const why: Record<string, string> = {
    EACCES: 'permission denied',
    EPERM: 'permission denied',
    EROFS: 'the file system is read-only',
    ENOSPC: 'the disk is full',
    ENOENT: 'no folder can be made there',
    ENOTDIR: 'a part of the path is a file, not a folder',
  };
  throw new DlgradeError('USAGE', `${option} ${target}: cannot write there (${why[error.code ?? ''] ?? error.message}); give a folder you can write`, { cause: error });
}
