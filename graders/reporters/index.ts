// The reporters by name and the one function that builds a run's reporters from its mode and options.
import path from 'node:path';
import type { Reporter } from './reporter.js';
import { ReporterMultiplexer } from './reporter.js';
import type { ResultT } from '../result/schema.js';
import type { Mode } from '../engine/grade-submission.js';
import { ConsoleReporter } from './console.js';
import { JsonResultReporter, StudentReportReporter, GradescopeReporter } from './student-files.js';
import { ClassFilesReporter } from './class-files.js';
import { ClassReportReporter } from './class-report.js';
import { JunitReporter } from './junit.js';
import { GithubActionsReporter, type GithubOptions } from './github.js';
import { DlgradeError, mustBeOneOf } from '../errors.js';

/** What the reporters of a run may need; a reporter whose need is missing is refused by name. */
export interface ReporterOptions {
  /** grade's output folder (per-student files, class files); check and ci have none. */
  outDir?: string;
  stdout?: NodeJS.WriteStream;
  /** console: show passing cases too. */
  verbose?: boolean;
  /** junit: the XML file (default <outDir>/junit.xml). */
  junitFile?: string;
  /** github: where annotations and the step summary go (ci on GitHub Actions). */
  github?: GithubOptions & { defaultFile?: string };
}

/** Prints each result as JSON on stdout (check and ci; grade writes results/<student>.json instead). */
class JsonStdoutReporter implements Reporter {
  readonly name = 'json';
  constructor(private readonly stream: NodeJS.WriteStream) {}
  onResult(result: ResultT): void {
    this.stream.write(JSON.stringify(result, null, 2) + '\n');
  }
}

function need<T>(value: T | undefined, name: string, what: string): T {
  if (value === undefined) throw new DlgradeError('USAGE', `--reporter ${name} needs ${what}`);
  return value;
}
const outDirOf = (o: ReporterOptions, name: string) => need(o.outDir, name, 'an output folder: only grade writes one (--out)');

/** Every reporter by the name `--reporter` takes. */
export const REPORTERS = {
  console: (o: ReporterOptions) => new ConsoleReporter(o.stdout ?? process.stdout, o.verbose),
  json: (o: ReporterOptions) => (o.outDir ? new JsonResultReporter(o.outDir) : new JsonStdoutReporter(o.stdout ?? process.stdout)),
  report: (o: ReporterOptions) => new StudentReportReporter(outDirOf(o, 'report')),
  gradescope: (o: ReporterOptions) => {
    const outDir = outDirOf(o, 'gradescope');
    return new GradescopeReporter((student) => path.join(outDir, student, 'results.json'));
  },
  'class-files': (o: ReporterOptions) => new ClassFilesReporter(outDirOf(o, 'class-files')),
  'class-report': (o: ReporterOptions) => new ClassReportReporter(outDirOf(o, 'class-report')),
  junit: (o: ReporterOptions) => new JunitReporter(o.junitFile ?? path.join(outDirOf(o, 'junit'), 'junit.xml')),
  github: (o: ReporterOptions) => {
    const github = need(o.github, 'github', 'a GitHub Actions run (ci with GITHUB_ACTIONS=true)');
    return new GithubActionsReporter(github, github.defaultFile);
  },
} satisfies Record<string, (options: ReporterOptions) => Reporter>;

export type ReporterName = keyof typeof REPORTERS;
export const REPORTER_NAMES = Object.keys(REPORTERS) as ReporterName[];

/** The reporters a mode uses when `--reporter` is not given. */
export function defaultReporters(mode: Mode, options: ReporterOptions): ReporterName[] {
  switch (mode) {
    case 'check':
      return ['console'];
    case 'ci':
      return ['console', ...(options.junitFile ? (['junit'] as const) : []), ...(options.github ? (['github'] as const) : [])];
    case 'grade':
      return ['json', 'report', 'gradescope', 'class-files', 'class-report'];
  }
}

/** Splits repeated and comma-separated `--reporter` values and checks every name. */
export function parseReporterNames(values: readonly string[]): ReporterName[] {
  const names = values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
  for (const name of names) {
    if (!Object.hasOwn(REPORTERS, name)) throw new DlgradeError('USAGE', mustBeOneOf('--reporter', REPORTER_NAMES, name));
  }
  return [...new Set(names)] as ReporterName[];
}

/**
 * The reporters of a run behind one multiplexer: the names given (`--reporter`), else the mode's defaults, plus
 * `extra` ones built elsewhere (a gradebook from a roster). In grade the canonical results/<student>.json is always
 * written: every other output of a batch, and `merge`, derive from it.
 */
export function createReporters(mode: Mode, options: ReporterOptions & { names?: readonly string[]; extra?: Reporter[] } = {}): ReporterMultiplexer {
  const chosen = options.names?.length ? parseReporterNames(options.names) : defaultReporters(mode, options);
  const names = mode === 'grade' && !chosen.includes('json') ? (['json', ...chosen] as ReporterName[]) : chosen;
  return new ReporterMultiplexer([...names.map((name) => REPORTERS[name](options)), ...(options.extra ?? [])]);
}
