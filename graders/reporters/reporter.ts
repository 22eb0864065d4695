// Reporters turn results into outputs; every hook is optional and a failing reporter never changes a grade.
import type { ResultT } from '../result/schema.js';
import type { Assignment } from '../manifest/load-manifest.js';
import { inPhase } from '../util/profile.js';

export interface BatchInfo {
  assignment: Assignment;
  /** Output folder (grade) or undefined (check). */
  outDir?: string;
  total: number;
}

/** A consumer of results. Implement only the hooks you need. */
export interface Reporter {
  readonly name: string;
  onBegin?(info: BatchInfo): void | Promise<void>;
  onResult?(result: ResultT): void | Promise<void>;
  /**
   * Called once with every result of the run (including ones resumed from disk), in student order. In a batch these
   * are slimmed (no printed output, tracebacks, pictures, details or passing outputs) unless `needsFullResults`.
   */
  onEnd?(results: ResultT[]): void | Promise<void>;
  /** onEnd reads what a batch leaves out of the results it keeps (JUnit's printed output and tracebacks). */
  readonly needsFullResults?: boolean;
}

/** Calls every reporter, catching and reporting each one's failure instead of stopping the run. */
export class ReporterMultiplexer implements Reporter {
  readonly name = 'multiplexer';
  readonly failures: string[] = [];

  constructor(private readonly reporters: Reporter[], private readonly warn: (message: string) => void = (m) => process.stderr.write(`warning: ${m}\n`)) {}

  onBegin(info: BatchInfo) {
    return this.each('onBegin', (r) => r.onBegin?.(info));
  }
  onResult(result: ResultT) {
    return this.each('onResult', (r) => inPhase(`report: ${r.name}`, () => r.onResult?.(result)));
  }
  onEnd(results: ResultT[]) {
    return this.each('onEnd', (r) => r.onEnd?.(results));
  }
  /** Whether a batch must keep every result whole for onEnd. */
  get needsFullResults(): boolean {
    return this.reporters.some((r) => r.needsFullResults === true);
  }

  private async each(hook: string, call: (r: Reporter) => void | Promise<void>): Promise<void> {
    for (const reporter of this.reporters) {
      try {
        await call(reporter);
      } catch (error) {
        const message = `the ${reporter.name} reporter failed in ${hook}: ${(error as Error).message}`;
        this.failures.push(message);
        this.warn(message);
      }
    }
  }
}
