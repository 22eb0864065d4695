// /dev/shm as a place for short-lived files (staged submissions, warm workers' job folders): on a disk file system
// every file made and removed per submission costs more CPU than writing it.
import { statSync, statfsSync } from 'node:fs';

const SHM = '/dev/shm';
const TMPFS_MAGIC = 0x01021994;
const MIN_FREE_BYTES = 512 * 1024 * 1024;
let answer: string | null | undefined;

/** /dev/shm when it is a tmpfs with room that every uid can pass through (sticky, world-writable), else undefined. */
export function sharedMemoryDir(): string | undefined {
  if (answer === undefined) {
    answer = null;
    try {
      const info = statSync(SHM);
      const fs = statfsSync(SHM);
      if (fs.type === TMPFS_MAGIC && info.isDirectory() && (info.mode & 0o1777) === 0o1777 && fs.bavail * fs.bsize >= MIN_FREE_BYTES) answer = SHM;
    } catch {
      // No /dev/shm here.
    }
  }
  return answer ?? undefined;
}
