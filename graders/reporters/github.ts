// GitHub Actions: `::error` annotations on the student's lines and a Markdown report in the job's step summary.
import { appendFile } from 'node:fs/promises';
import path from 'node:path';
import type { Reporter } from './reporter.js';
import type { ResultT } from '../result/schema.js';
import { viewCase, viewResult } from './view-model.js';
import { render } from './templates.js';
import type { GateVerdict } from '../ci/gate.js';

/** True when running as a GitHub Actions step (GitHub sets GITHUB_ACTIONS=true). */
export function onGithubActions(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.GITHUB_ACTIONS === 'true';
}

export interface GithubOptions {
  /** The submission folder, to turn the runner's submission-relative file names into repository paths. */
  submissionDir: string;
  /** The repository checkout (GITHUB_WORKSPACE); annotation paths are relative to it. */
  workspace: string;
  /** Where the step summary is appended (GITHUB_STEP_SUMMARY); none when unset. */
  summaryFile?: string;
  /** Where workflow commands go: the step's stdout. */
  write: (text: string) => void;
  /** Gives the gate's verdict for a result, shown at the top of the summary. */
  gate: (result: ResultT) => GateVerdict;
}

/** One annotation per distinct failure (an import error shared by every question is one): file and line when the student's code raised, the file alone otherwise. */
export function annotations(result: ResultT, options: Pick<GithubOptions, 'submissionDir' | 'workspace'>, defaultFile?: string): string[] {
  const groups = new Map<string, { props: Record<string, string>; message: string; questions: string[] }>();
  const repoPath = (file: string) => path.relative(options.workspace, path.resolve(options.submissionDir, file)).split(path.sep).join('/');
  for (const q of result.questions) {
    for (const c of q.cases) {
      if (c.status === 'pass' || c.status === 'pending') continue;
      const view = viewCase(c);
      const line = c.error?.student_line;
      const props: Record<string, string> = {};
      if (line?.file && line.cell !== undefined) {
        // A notebook cell's line is not a line of the .ipynb file: the annotation names the file, the message the cell.
        props.file = repoPath(line.file);
      } else if (line?.file && line.line > 0) {
        props.file = repoPath(line.file);
        props.line = String(line.line);
      } else if (defaultFile) props.file = repoPath(defaultFile);
      // Value failures differ per question; an error raised on one line is the same failure wherever it shows.
      const key = JSON.stringify([props.file, props.line, props.line ? '' : q.id, view.lines[0]]);
      const group = groups.get(key);
      if (group) {
        if (!group.questions.includes(q.id)) group.questions.push(q.id);
        continue;
      }
      const message = [`${c.id}: ${view.lines[0] ?? c.status}`, ...view.lines.slice(1), ...(view.code ? [`at ${view.location}: ${view.code}`] : [])].join('\n');
      groups.set(key, { props, message, questions: [q.id] });
    }
  }
  return [...groups.values()].map((g) => workflowCommand('error', { ...g.props, title: `dlgrade: ${g.questions.join(', ')}` }, g.message));
}

/** `::name k=v,…::message`, escaped as the Actions runner expects. */
export function workflowCommand(name: string, props: Record<string, string>, message: string): string {
  const escapeData = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
  const escapeProp = (s: string) => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
  const list = Object.entries(props)
    .map(([k, v]) => `${k}=${escapeProp(v)}`)
    .join(',');
  return `::${name}${list ? ' ' + list : ''}::${escapeData(message)}`;
}

/** The step summary: the gate's verdict, then the same Markdown report a student gets. */
export function stepSummary(result: ResultT, verdict: GateVerdict): string {
  const view = { ...viewResult(result), classReport: false };
  const head = `## ${verdict.pass ? '✅' : '❌'} dlgrade: ${result.assignment.title} — gate ${verdict.pass ? 'passed' : 'failed'}\n\n${verdict.reason}. Public tests only; the hidden tests run when the course grades.\n\n`;
  // The report's own headings move down two levels, under the summary's heading.
  return head + render('student.md.hbs', view).replace(/^## /gm, '#### ').replace(/^# /m, '### ') + '\n';
}

/** Emits annotations and appends the step summary for each result. */
export class GithubActionsReporter implements Reporter {
  readonly name = 'github';
  constructor(private readonly options: GithubOptions, private readonly defaultFile?: string) {}
  async onResult(result: ResultT): Promise<void> {
    for (const command of annotations(result, this.options, this.defaultFile)) this.options.write(command + '\n');
    if (this.options.summaryFile) await appendFile(this.options.summaryFile, stepSummary(result, this.options.gate(result)));
  }
}
