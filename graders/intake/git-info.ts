// The last commit of a GitHub Classroom clone, read with git configured so that nothing in the clone runs.
import { supervise } from '../process/supervise.js';
import { minimalEnv } from '../runners/sandbox.js';

/** The clone's HEAD commit and its commit time (ISO 8601), or undefined when git cannot say. */
export async function gitCommit(dir: string): Promise<{ commit: string; committedAt: string } | undefined> {
  // A clone's own config could name programs (fsmonitor, pager); none of them is used by `log`, and these settings
  // and the empty global config keep it so. safe.directory: clones are often owned by another user.
  const args = ['-c', 'core.fsmonitor=false', '-c', 'safe.directory=*', '-c', 'core.pager=cat', '--no-pager', '-C', dir, 'log', '-1', '--no-show-signature', '--format=%H %cI'];
  const env = { ...minimalEnv(dir), GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_TERMINAL_PROMPT: '0', GIT_OPTIONAL_LOCKS: '0' };
  const exit = await supervise('git', args, { cwd: dir, env, timeoutMs: 10_000, outputCapBytes: 4096 }).done;
  if (exit.kind !== 'exited' || exit.exitCode !== 0) return undefined;
  const match = /^([0-9a-f]{40,64}) (\S+)$/m.exec(exit.stdoutTail.trim());
  if (!match || Number.isNaN(Date.parse(match[2]))) return undefined;
  return { commit: match[1], committedAt: new Date(match[2]).toISOString() };
}
