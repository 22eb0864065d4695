// Picks the runner for an assignment's language; the switch is checked for exhaustiveness by the compiler.
import type { ManifestT } from '../manifest/schema.js';
import type { Runner } from './runner.js';
import { PythonRunner } from './python-runner.js';
import { AnswersRunner } from './answers-runner.js';
import type { Sandbox } from './sandbox.js';
import { DlgradeError } from '../errors.js';

export interface RunnerOptions {
  python?: string;
  sandbox?: Sandbox;
}

export function createRunner(manifest: ManifestT, options: RunnerOptions = {}): Runner {
  const kind = manifest.runner;
  switch (kind) {
    case 'python':
      return new PythonRunner({ python: options.python, sandbox: options.sandbox });
    case 'answers':
      return new AnswersRunner();
    default: {
      const unreachable: never = kind;
      throw new DlgradeError('MANIFEST_INVALID', `unknown runner ${String(unreachable)}`);
    }
  }
}
