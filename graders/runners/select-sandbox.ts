// Chooses how student code is isolated: bubblewrap when it works here (probed once), otherwise what the mode allows.
import { DlgradeError } from '../errors.js';
import { probeBwrap, type SandboxProbe } from './bwrap-sandbox.js';
import { noSandbox, type Sandbox } from './sandbox.js';

/**
 * - `required`: bubblewrap or a clear error (grade and ci, the instructor's and CI's runs);
 * - `preferred`: bubblewrap, else unsandboxed with a one-line warning (check, on a student's own laptop);
 * - `off`: unsandboxed, as asked with --no-sandbox.
 */
export type SandboxPolicy = 'required' | 'preferred' | 'off';

const probes = new Map<string, Promise<SandboxProbe>>();

/** Probes bubblewrap once per interpreter and process. */
export function probeSandbox(interpreter: string): Promise<SandboxProbe> {
  let probe = probes.get(interpreter);
  if (!probe) {
    probe = probeBwrap(interpreter);
    probes.set(interpreter, probe);
  }
  return probe;
}

/** The sandbox for a run under `policy`; `warn` receives the one-line notice when falling back. */
export async function selectSandbox(policy: SandboxPolicy, interpreter: string, warn: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Promise<Sandbox> {
  if (policy === 'off') return noSandbox;
  const probe = await probeSandbox(interpreter);
  if (probe.ok) return probe.sandbox;
  if (policy === 'preferred') {
    warn(`warning: running your code without a sandbox (${probe.reason})`);
    return noSandbox;
  }
  throw new DlgradeError(
    'SANDBOX_UNAVAILABLE',
    `refusing to run submissions without a sandbox: ${probe.reason}. Fix that, or pass --no-sandbox to run student code unsandboxed (only for code you trust)`,
  );
}
