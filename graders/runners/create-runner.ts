// Picks the runner for an assignment's language; the switch is checked for exhaustiveness by the compiler.
import type { ManifestT } from '../manifest/schema.js';
import type { Runner } from './runner.js';
import { PythonRunner } from './python-runner.js';
import { WarmPythonRunner } from './warm-python-runner.js';
import { AnswersRunner } from './answers-runner.js';
import type { Sandbox } from './sandbox.js';
import { DlgradeError } from '../errors.js';

export interface RunnerOptions {
  python?: string;
  sandbox?: Sandbox;
  /**
   * Warm Python workers (PyTorch imported once, a forked child per submission): at most this many at once.
   * 0 or absent: a fresh Python process per submission. DLGRADE_WARM=0 turns warm workers off everywhere.
   */
  workers?: number;
  /** Where a runner's one-line notices go (e.g. that warm workers are not available). */
  notify?: (line: string) => void;
}

export function createRunner(manifest: ManifestT, options: RunnerOptions = {}): Runner {
  const kind = manifest.runner;
  switch (kind) {
    case 'python':
      return options.workers && process.env.DLGRADE_WARM !== '0'
        ? new WarmPythonRunner({ python: options.python, sandbox: options.sandbox, workers: options.workers, notify: options.notify })
        : new PythonRunner({ python: options.python, sandbox: options.sandbox });
    case 'answers':
      return new AnswersRunner();
    default: {
      const unreachable: never = kind;
      throw new DlgradeError('MANIFEST_INVALID', `unknown runner ${String(unreachable)}`);
    }
  }
}
