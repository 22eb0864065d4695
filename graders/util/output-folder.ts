// Output folders are made, and found writable, before any work: a batch never grades a class into a folder it cannot
// write, and a wrong -o is a sentence naming the folder, not a stack trace.
import { access, constants, mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { DlgradeError } from '../errors.js';

/**
 * Creates `dir` and its missing parents, one level at a time (Node's recursive mkdir never returns where a parent
 * refuses new folders, as /proc does), and checks that it can be written. Messages name the flag and `shown`.
 */
export async function prepareOutputFolder(dir: string, option: string, shown = path.resolve(dir)): Promise<void> {
  const target = path.resolve(dir);
  const missing: string[] = [];
  let existing = target;
  for (;;) {
    const info = await stat(existing).catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' || error.code === 'ENOTDIR' ? undefined : refuse(option, shown, error)));
    if (info) {
      if (!info.isDirectory()) {
        throw new DlgradeError('USAGE', `${option} ${shown}: ${existing === shown ? 'it' : existing} is a file, not a folder`);
      }
      break;
    }
    missing.unshift(existing);
    const parent = path.dirname(existing);
    if (parent === existing) break;
    existing = parent;
  }
  for (const folder of missing) {
    await mkdir(folder).catch((error: NodeJS.ErrnoException) => (error.code === 'EEXIST' ? undefined : refuse(option, shown, error)));
  }
  await access(target, constants.W_OK | constants.X_OK).catch((error: NodeJS.ErrnoException) => refuse(option, shown, error));
}

/** For a file to write: refused when a folder has its name, else its folder is prepared as above. */
export async function prepareOutputFile(file: string, option: string, example: string): Promise<void> {
  const target = path.resolve(file);
  if ((await stat(target).catch(() => undefined))?.isDirectory()) {
    throw new DlgradeError('USAGE', `${option} ${target} is a folder: give the name of the file to write, e.g. ${path.join(target, example)}`);
  }
  await prepareOutputFolder(path.dirname(target), option, target);
}

function refuse(option: string, shown: string, error: NodeJS.ErrnoException): never {
  const why: Record<string, string> = {
    EACCES: 'permission denied',
    EPERM: 'permission denied',
    EROFS: 'the file system is read-only',
    ENOSPC: 'the disk is full',
    ENOENT: 'no folder can be made there',
    ENOTDIR: 'a part of the path is a file, not a folder',
  };
  throw new DlgradeError('USAGE', `${option} ${shown}: cannot write there (${why[error.code ?? ''] ?? error.message}); give a folder you can write`, { cause: error });
}
