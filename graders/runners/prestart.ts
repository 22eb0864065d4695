// Starts the warm worker `dlgrade check` will use before the CLI's modules load (bin/dlgrade.js calls this first),
// so that importing PyTorch (about a second) overlaps loading Node modules, the manifest and the fixtures.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { probeSandbox } from './select-sandbox.js';
import { bwrapCandidate } from './bwrap-sandbox.js';
import { noSandbox } from './sandbox.js';
import { defaultPython } from './python-runner.js';
import { prestartWorker } from './warm-python-runner.js';
import { isSubmissionFileName } from '../engine/submission-folder.js';

/** The memory limit a manifest without `defaults.memory_mb` gets (as memoryLimitMb in grade-submission.ts). */
const DEFAULT_MEMORY_MB = 4096;

/**
 * For `check <assignment>`: probes the sandbox and starts one worker, held loosely, which the check's runner adopts
 * if it fits (same interpreter, sandbox and memory limit) and which otherwise ends with the process. Only a
 * hint: whatever goes wrong here, the command itself starts its runner as usual.
 */
export async function prestart(argv: string[]): Promise<void> {
  const [command, assignment] = argv.slice(2);
  if (command !== 'check' || !assignment || process.env.DLGRADE_WARM === '0' || argv.includes('--help') || argv.includes('-h')) return;
  const byPath = assignment.includes('/') || assignment.endsWith('.yaml');
  const manifest = byPath ? undefined : peekManifest(assignment);
  // An unknown assignment id, or a submission that is missing, an empty folder or a file of another kind, is an
  // error the command is about to report: no PyTorch for it.
  if (!byPath && !manifest) return;
  if (!holdsAnything(optionValue(argv, '--submission') ?? optionValue(argv, '-s') ?? '.')) return;
  if (manifest && manifest.runner !== 'python') return;
  const python = defaultPython(optionValue(argv, '--python'));
  if (!existsSync(python)) return;
  // The worker starts in the sandbox the probe is about to test (the same object, kept for the process), and
  // the probe runs meanwhile: the command's own sandbox selection then gets its answer. If the probe says no,
  // the command runs unsandboxed, the worker does not match, and it ends unused.
  void probeSandbox(python);
  const sandbox = bwrapCandidate(python).then((candidate) => (candidate.ok ? candidate.sandbox : noSandbox));
  const spawned = prestartWorker(python, sandbox, manifest?.memoryMb ?? DEFAULT_MEMORY_MB);
  // Until the worker process exists the event loop must stay free (loading the CLI would hold up the steps
  // before it); then PyTorch imports while the CLI loads. A slow start is not waited for past this.
  await Promise.race([spawned, new Promise((resolve) => setTimeout(resolve, SPAWN_WAIT_MS).unref())]);
}

/** The longest the CLI waits for the worker process to be started before loading anyway. */
const SPAWN_WAIT_MS = 500;

/** Whether `target` is a file check takes as a submission, or a folder with anything in it besides hidden entries. */
function holdsAnything(target: string): boolean {
  try {
    if (!statSync(target).isDirectory()) return isSubmissionFileName(target);
    return readdirSync(target).some((name) => !name.startsWith('.'));
  } catch {
    return false;
  }
}

/** `--flag value` or `--flag=value` from the command line. */
function optionValue(argv: string[], flag: string): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === flag) return argv[i + 1];
    if (argv[i].startsWith(`${flag}=`)) return argv[i].slice(flag.length + 1);
  }
  return undefined;
}

/**
 * The runner and memory limit of an assignment given by id, read from its manifest's text without loading the YAML
 * and schema libraries (that is what this start is ahead of). Undefined when the manifest cannot be found.
 */
function peekManifest(assignment: string): { runner: string; memoryMb?: number } | undefined {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const up = path.resolve(here, '..', '..');
  const root = path.basename(up) === 'dist' ? path.dirname(up) : up;
  const file = path.join(process.env.DLGRADE_ASSIGNMENTS ?? path.join(root, 'assignments'), assignment, 'manifest.yaml');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const runner = /^runner:\s*["']?(\w+)/m.exec(text)?.[1];
  const memory = /^\s+memory_mb:\s*(\d+)/m.exec(text)?.[1];
  return runner ? { runner, memoryMb: memory ? Number(memory) : undefined } : undefined;
}
