// How a runner command is isolated. "none" runs it directly; the bubblewrap sandbox wraps it.

export interface WrapContext {
  jobDir: string;
  submissionDir: string;
  memoryMb: number;
}

export interface WrappedCommand {
  file: string;
  args: string[];
  env: Record<string, string>;
}

/** Turns "run this interpreter on this job" into the command that actually runs. */
export interface Sandbox {
  readonly name: string;
  wrap(file: string, args: string[], context: WrapContext): WrappedCommand;
  /** The submission's path as the sandboxed process sees it. */
  submissionPath(hostPath: string): string;
}

/** The variables student code may see; everything else of the harness's environment is withheld. */
export function minimalEnv(home: string): Record<string, string> {
  return {
    PATH: '/usr/local/bin:/usr/bin:/bin',
    HOME: home,
    LANG: 'C.UTF-8',
    LC_ALL: 'C.UTF-8',
    OMP_NUM_THREADS: '1',
    MKL_NUM_THREADS: '1',
    OPENBLAS_NUM_THREADS: '1',
    PYTHONHASHSEED: '0',
    PYTHONDONTWRITEBYTECODE: '1',
  };
}

/** Runs the command as it is, with a minimal environment (a student's own machine, or --no-sandbox). */
export const noSandbox: Sandbox = {
  name: 'none',
  wrap(file, args, context) {
    return { file, args, env: minimalEnv(`${context.jobDir}/work`) };
  },
  submissionPath: (hostPath) => hostPath,
};
