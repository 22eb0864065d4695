// JUnit XML for CI systems: one <testsuite> per question, one <testcase> per case, failures carrying the diagnosis.
import { createRequire } from 'node:module';
import type junitReportModule from 'junit-report-builder';
import type { Reporter } from './reporter.js';
import type { ResultT } from '../result/schema.js';
import { viewCase } from './view-model.js';
import { writeFileAtomic } from '../util/atomic-write.js';

// The package is CommonJS whose typings declare an ES default export; at run time the module is the builder itself.
// Required on first use: commands that write no JUnit XML, like check, never load it.
type JunitBuilderFactory = { newBuilder(): (typeof junitReportModule)['default'] };
function junitReportBuilder(): JunitBuilderFactory {
  const loaded = createRequire(import.meta.url)('junit-report-builder') as { default?: unknown };
  return (loaded.default ?? loaded) as JunitBuilderFactory;
}

/** The JUnit XML of one or more results (several results become one suite per student and question). */
export function toJunitXml(results: ResultT[]): string {
  const builder = junitReportBuilder().newBuilder();
  const first = results[0];
  builder.name(first ? `dlgrade ${first.assignment.id}` : 'dlgrade');
  for (const result of results) {
    const prefix = results.length > 1 ? `${result.student}: ` : '';
    for (const q of result.questions) {
      const suite = builder
        .testSuite()
        .name(`${prefix}${q.title} (${q.id})`)
        .property('question', q.id)
        .property('points', `${q.points}/${q.maxPoints}`)
        .property('status', q.status)
        .time(seconds(q.cases.reduce((s, c) => s + c.durationMs, 0)));
      for (const c of q.cases) {
        const view = viewCase(c);
        const testCase = suite
          .testCase()
          .className(`${result.assignment.id}.${q.id}`)
          .name(c.id)
          .time(seconds(c.durationMs));
        const where = view.location ? `\nat ${view.location}${view.code ? `: ${view.code}` : ''}` : '';
        const text = [...view.lines, ...(view.details ?? [])].join('\n') + where;
        const firstLine = view.lines[0] ?? c.status;
        if (c.error?.student_line?.file) testCase.file(c.error.student_line.file);
        switch (c.status) {
          case 'pass':
            break;
          case 'pending':
            testCase.skipped();
            break;
          case 'fail':
            testCase.failure(firstLine, 'wrong-output').stacktrace(text);
            break;
          case 'error':
          case 'timeout':
          case 'crash':
            testCase.error(firstLine, c.error?.type ?? c.status, text);
            break;
          default: {
            const unreachable: never = c.status;
            throw new Error(`unknown case status ${String(unreachable)}`);
          }
        }
        if (c.stdout) testCase.standardOutput(c.stdout);
      }
    }
  }
  return builder.build();
}

/** Writes the JUnit XML of the run's results to a file when the run ends. */
export class JunitReporter implements Reporter {
  readonly name = 'junit';
  readonly needsFullResults = true;
  constructor(private readonly file: string) {}
  async onEnd(results: ResultT[]): Promise<void> {
    await writeFileAtomic(this.file, toJunitXml(results));
  }
}

/** Milliseconds as seconds, to the millisecond (no 0.009106999999999999 in the XML). */
const seconds = (ms: number) => Math.round(ms) / 1000;
