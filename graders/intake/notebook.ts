// Jupyter notebooks handed in for a module: read with a schema (nbformat 4 and 3), their definitions turned into
// the module the runner imports, and a map from the module's lines back to notebook cells.
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Type, type Static } from '@sinclair/typebox';
import { Ajv, type ValidateFunction } from 'ajv';
import { DlgradeError } from '../errors.js';
import { supervise } from '../process/supervise.js';
import { minimalEnv } from '../runners/sandbox.js';
import { formatBytes } from './zip-reader.js';

const Source = Type.Union([Type.String(), Type.Array(Type.String())]);

/** nbformat 4: the part of nbformat's v4 schema dlgrade relies on (other fields are allowed and ignored). */
const NotebookV4 = Type.Object({
  nbformat: Type.Literal(4),
  nbformat_minor: Type.Integer({ minimum: 0 }),
  metadata: Type.Object({}),
  cells: Type.Array(
    Type.Object({
      cell_type: Type.Union([Type.Literal('code'), Type.Literal('markdown'), Type.Literal('raw')]),
      source: Source,
      metadata: Type.Optional(Type.Object({})),
    }),
  ),
});

/** nbformat 3: cells live in worksheets; a code cell's text is "input". */
const NotebookV3 = Type.Object({
  nbformat: Type.Literal(3),
  nbformat_minor: Type.Integer({ minimum: 0 }),
  metadata: Type.Optional(Type.Object({})),
  worksheets: Type.Array(
    Type.Object({
      cells: Type.Array(
        Type.Union([
          Type.Object({ cell_type: Type.Literal('code'), input: Source, language: Type.Optional(Type.String()) }),
          Type.Object({ cell_type: Type.Union([Type.Literal('markdown'), Type.Literal('raw'), Type.Literal('heading')]), source: Type.Optional(Source) }),
        ]),
      ),
    }),
  ),
});

/** The two validators, compiled on the first notebook read: compiling costs every other command a few hundred ms. */
let validators: { v4: ValidateFunction<Static<typeof NotebookV4>>; v3: ValidateFunction<Static<typeof NotebookV3>> } | undefined;
function notebookValidators() {
  if (!validators) {
    const ajv = new Ajv({ allErrors: false, allowUnionTypes: true, strict: false });
    validators = { v4: ajv.compile<Static<typeof NotebookV4>>(NotebookV4), v3: ajv.compile<Static<typeof NotebookV3>>(NotebookV3) };
  }
  return validators;
}

/** A notebook larger than this is not read (outputs with images can be large; code never is). */
export const NOTEBOOK_MAX_BYTES = 50 * 1024 * 1024;

/** A code cell: its 1-based position among all the notebook's cells (as Jupyter shows them) and its text. */
export interface CodeCell {
  cell: number;
  source: string;
}

export interface ParsedNotebook {
  nbformat: number;
  cells: number;
  codeCells: CodeCell[];
  language?: string;
}

/** Reads a notebook's code cells; a file that is not a notebook is an error naming `label` and what is wrong. */
export function parseNotebook(text: string, label: string): ParsedNotebook {
  const fail = (why: string) => new DlgradeError('SUBMISSION_INVALID', `${label} is not a usable Jupyter notebook: ${why}`);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (cause) {
    throw fail(`not valid JSON (${(cause as Error).message})`);
  }
  const join = (s: string | string[]) => (Array.isArray(s) ? s.join('') : s);
  const version = (data as { nbformat?: unknown } | null)?.nbformat;
  const { v4: validateV4, v3: validateV3 } = notebookValidators();
  if (version === 4 && validateV4(data)) {
    const codeCells = data.cells.flatMap((c, i) => (c.cell_type === 'code' ? [{ cell: i + 1, source: join(c.source) }] : []));
    const meta = data.metadata as { kernelspec?: { language?: string }; language_info?: { name?: string } };
    return { nbformat: 4, cells: data.cells.length, codeCells, language: meta.language_info?.name ?? meta.kernelspec?.language };
  }
  if (version === 3 && validateV3(data)) {
    const all = data.worksheets.flatMap((w) => w.cells);
    const codeCells = all.flatMap((c, i) => (c.cell_type === 'code' ? [{ cell: i + 1, source: join(c.input) }] : []));
    return { nbformat: 3, cells: all.length, codeCells };
  }
  if (version === undefined) throw fail('it has no "nbformat" field, so it is not a saved notebook (expected nbformat 4, or 3)');
  if (version !== 3 && version !== 4) throw fail(`nbformat ${JSON.stringify(version)} is not supported (expected 4, or 3)`);
  const error = (version === 4 ? validateV4 : validateV3).errors?.[0];
  throw fail(`${error?.instancePath || '(top level)'} ${error?.message ?? 'does not match the nbformat schema'}`);
}

/** How a notebook becomes a module: its definitions only (as the course's tests import them), or every cell run in order. */
export type NotebookMode = 'definitions' | 'run-all';

/** What was made of a notebook, for the result and for mapping errors back to cells. */
export interface ConvertedNotebook {
  /** The notebook, relative to the submission. */
  notebook: string;
  /** The module written for it, relative to the submission. */
  module: string;
  mode: NotebookMode;
  nbformat: number;
  codeCells: number;
  /** Code cells with something kept. */
  cellsKept: number;
  /** Code cells with nothing kept (all work, magics, or unparseable). */
  cellsDropped: number;
  /** What was left out, one line each, in notebook order. */
  dropped: { cell: number; line: number; text: string; why: string }[];
  /** Cells that do not parse, skipped whole. */
  skipped: { cell: number; reason: string }[];
  /** For each line of the module (0-based), the notebook's [cell, line], or null for dlgrade's own lines. */
  lines: ([number, number] | null)[];
}

function converterScript(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [path.join(here, 'python', 'notebook_defs.py'), path.join(here, '..', '..', '..', 'graders', 'intake', 'python', 'notebook_defs.py')];
  return candidates.find((p) => existsSync(p)) ?? candidates[0];
}

/**
 * Writes `module` (e.g. style_modules.py) in `dir` from the notebook `notebook` (both relative to `dir`). Python's
 * own parser decides what is a definition; it only parses, so it runs outside the sandbox, with a time limit.
 * `workDir` is a folder of the harness's for the request file (not the submission).
 */
export async function convertNotebook(options: { dir: string; notebook: string; module: string; mode: NotebookMode; python: string; workDir: string }): Promise<ConvertedNotebook> {
  const file = path.join(options.dir, options.notebook);
  const bytes = await readFile(file);
  if (bytes.length > NOTEBOOK_MAX_BYTES) throw new DlgradeError('SUBMISSION_INVALID', `${options.notebook} is ${formatBytes(bytes.length)}; a notebook may be at most ${formatBytes(NOTEBOOK_MAX_BYTES)}`);
  const parsed = parseNotebook(bytes.toString('utf8'), options.notebook);
  if (parsed.language && parsed.language.toLowerCase() !== 'python') {
    throw new DlgradeError('SUBMISSION_INVALID', `${options.notebook} is a ${parsed.language} notebook; this assignment needs Python`);
  }
  const request = path.join(options.workDir, 'notebook-request.json');
  await writeFile(request, JSON.stringify({ cells: parsed.codeCells, mode: options.mode }));
  const run = supervise(options.python, ['-I', '-S', converterScript(), request], {
    cwd: options.workDir,
    env: minimalEnv(options.workDir),
    timeoutMs: 30_000,
    outputCapBytes: 64 * 1024 * 1024,
  });
  const exit = await run.done;
  let out: { source: string; lines: ([number, number] | null)[]; kept: number; dropped: ConvertedNotebook['dropped']; skipped: ConvertedNotebook['skipped'] };
  try {
    if (exit.kind !== 'exited' || exit.exitCode !== 0) throw new Error(exit.killReason ?? exit.stderrTail.trim().split('\n').slice(-1)[0] ?? exit.kind);
    out = JSON.parse(exit.stdoutTail);
  } catch (cause) {
    throw new DlgradeError('SUBMISSION_INVALID', `${options.notebook}: its code cells could not be read (${(cause as Error).message.slice(0, 300)})`, { cause });
  }
  await writeFile(path.join(options.dir, options.module), out.source, { mode: 0o644 });
  return {
    notebook: options.notebook,
    module: options.module,
    mode: options.mode,
    nbformat: parsed.nbformat,
    codeCells: parsed.codeCells.length,
    cellsKept: out.kept,
    cellsDropped: parsed.codeCells.length - out.kept,
    dropped: out.dropped,
    skipped: out.skipped,
    lines: out.lines,
  };
}

/** The notebook position of a line of the generated module, or undefined for dlgrade's own lines. */
export function notebookLine(converted: ConvertedNotebook, moduleLine: number): { cell: number; line: number } | undefined {
  const where = converted.lines[moduleLine - 1];
  return where ? { cell: where[0], line: where[1] } : undefined;
}
