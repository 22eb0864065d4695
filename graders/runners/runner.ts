// The Runner interface: a submission and its cases' inputs go in, per-case outcomes come out.
import type { Arrays } from '../answer-key/types.js';
import type { NdArray } from '../npz/ndarray.js';
import type { StepT } from '../manifest/schema.js';

/** What a question asks the runner to do (the manifest's steps, with limits resolved). */
export interface RunnerQuestion {
  steps: StepT[];
  inputs: Record<string, string>;
  outputs: Record<string, string>;
  timeout_s: number;
  /** For inputs of kind `model`: the assignment's own model file (its text) and the class to build from it. */
  model?: { source: string; class: string };
}

/** One call of one question on one case's inputs. Expected outputs are deliberately absent. */
export interface RunnerCase {
  index: number;
  question: string;
  case: string;
  inputs: Arrays;
}

export interface RunnerJob {
  submissionDir: string;
  questions: Record<string, RunnerQuestion>;
  cases: RunnerCase[];
  /** Memory limit per submission process, MiB. */
  memoryMb: number;
}

/** Where in the student's code an error was raised. */
export interface CodeLocation {
  file: string;
  line: number;
  name?: string;
  code?: string;
}

export interface CaseError {
  /** ApiError (missing name, wrong return type), NotImplemented, Timeout, Crash, or the Python exception's class. */
  type: string;
  message: string;
  traceback?: CodeLocation[];
  student_line?: CodeLocation;
}

export type CaseRunStatus = 'ok' | 'error' | 'timeout' | 'crash';

export interface CaseOutcome {
  status: CaseRunStatus;
  outputs: Map<string, NdArray>;
  /** Outputs that could not be read (None, wrong type), by output name. */
  outputErrors: Record<string, string>;
  /** With status ok: a step raised and the runner went on from the stored inputs (its `recover`); the case is an error. */
  error?: CaseError;
  durationMs: number;
  stdout?: string;
  /** What the harness did about the case that the result should say (run again after a busy machine stopped it). */
  notice?: string;
}

export interface RunOutcome {
  cases: Map<number, CaseOutcome>;
  /** Interpreter and library versions the runner reported. */
  runtime: Record<string, string>;
  /** How the submission was isolated, e.g. "bwrap" or "none". */
  sandbox: string;
}

/** Runs submissions in one language. */
export interface Runner {
  readonly language: string;
  run(job: RunnerJob): Promise<RunOutcome>;
  /** Starts long-lived workers ahead of the first job (e.g. while fixtures load), if the runner has any. */
  warm?(memoryMb: number): void;
  /** Releases long-lived workers, if any. */
  close?(): Promise<void>;
}
