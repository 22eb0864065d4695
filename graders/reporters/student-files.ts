// Per-student outputs of `grade`: the canonical JSON, Markdown and HTML reports, Gradescope's results.json.
import path from 'node:path';
import type { Reporter } from './reporter.js';
import type { ResultT } from '../result/schema.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { viewResult, type ResultView } from './view-model.js';
import { render } from './templates.js';
import { toGradescope } from './gradescope.js';

/** results/<student>.json — the canonical record every other output is derived from. */
export function resultPath(outDir: string, student: string): string {
  return path.join(outDir, 'results', `${student}.json`);
}

/** Writes the canonical result (atomically: a killed batch never leaves half a file). */
export class JsonResultReporter implements Reporter {
  readonly name = 'json';
  constructor(private readonly outDir: string) {}
  async onResult(result: ResultT): Promise<void> {
    await writeFileAtomic(resultPath(this.outDir, result.student), JSON.stringify(result, null, 2) + '\n');
  }
}

/**
 * Writes <student>/report.md and <student>/report.html, safe to send to the student (hidden cases unnamed), and
 * <student>/staff-report.html, the full view linked from the class report.
 */
export class StudentReportReporter implements Reporter {
  readonly name = 'student-report';
  constructor(private readonly outDir: string, private readonly classReport = true) {}
  async onResult(result: ResultT): Promise<void> {
    const view = { ...viewResult(result, 'student'), classReport: false };
    const staff = { ...viewResult(result, 'staff'), classReport: this.classReport };
    const dir = path.join(this.outDir, result.student);
    await writePictures(view, dir);
    await writeFileAtomic(path.join(dir, 'report.md'), render('student.md.hbs', view));
    await writeFileAtomic(path.join(dir, 'report.html'), render('student.html.hbs', view));
    await writeFileAtomic(path.join(dir, 'staff-report.html'), render('student.html.hbs', staff));
  }
}

/** Writes each case's pictures as pictures/<question>/<case>-<n>.png beside the reports and records where. */
async function writePictures(view: ResultView, dir: string): Promise<void> {
  for (const q of view.questions) {
    for (const c of q.cases) {
      for (const [i, picture] of (c.pictures ?? []).entries()) {
        picture.file = `pictures/${q.id}/${c.id}-${i + 1}.png`.replace(/[^A-Za-z0-9_./-]/g, '_');
        await writeFileAtomic(path.join(dir, picture.file), Buffer.from(picture.png, 'base64'));
      }
    }
  }
}

/** Writes <student>/results.json in Gradescope's format. */
export class GradescopeReporter implements Reporter {
  readonly name = 'gradescope';
  constructor(private readonly fileFor: (student: string) => string) {}
  async onResult(result: ResultT): Promise<void> {
    await writeFileAtomic(this.fileFor(result.student), JSON.stringify(toGradescope(result), null, 2) + '\n');
  }
}
