// What a student handed in for a manual question (a file, a section of the answers file, tagged notebook cells),
// read safely from the submission folder and kept in the result, so staff see it next to the rubric.
import { createHash } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { open, readdir } from 'node:fs/promises';
import path from 'node:path';
import { isScalar, parseDocument } from 'yaml';
import type { ManifestT, QuestionT } from '../manifest/schema.js';
import type { MaterialT } from '../result/schema.js';
import { MAX_YAML_BYTES } from '../util/yaml-limits.js';

/** Largest handed-in file kept in a result (images travel base64 inside it). */
export const MAX_MATERIAL_BYTES = 1024 * 1024;
/** Longest text kept; the rest is cut and marked truncated. */
export const MAX_MATERIAL_TEXT = 64 * 1024;

const MEDIA_TYPES: Record<string, string> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.svg': 'image/svg+xml',
  '.md': 'text/markdown',
  '.markdown': 'text/markdown',
  '.txt': 'text/plain',
  '.tex': 'text/plain',
  '.py': 'text/x-python',
  '.yaml': 'text/yaml',
  '.yml': 'text/yaml',
  '.json': 'application/json',
  '.csv': 'text/csv',
  '.pdf': 'application/pdf',
};

/** The media type dlgrade assumes from a file name; unknown names are read as text when they decode as UTF-8. */
export function mediaTypeOf(file: string): string {
  return MEDIA_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/** What a manual question asks for when the manifest says nothing: its answers section, or cells tagged with its id. */
export function submitOf(q: QuestionT, runner: ManifestT['runner']): { file?: string; answer?: string; cell?: string } {
  return q.submit ?? (runner === 'answers' ? { answer: q.id } : { cell: q.id });
}

/** Collects a manual question's material from a submission folder. Never throws for anything in the submission. */
export async function collectMaterial(q: QuestionT, manifest: ManifestT, dir: string): Promise<MaterialT[]> {
  const submit = submitOf(q, manifest.runner);
  try {
    if (submit.file !== undefined) return [await fileMaterial(dir, submit.file)];
    if (submit.answer !== undefined) return [await answerMaterial(dir, manifest.files, submit.answer)];
    const cells = await cellMaterial(dir, submit.cell!);
    if (cells.length > 0 || q.submit) return cells.length > 0 ? cells : [none(`cell tagged "${submit.cell}"`, `no notebook cell is tagged "${submit.cell}"`)];
    return [none('the whole submission', 'nothing in particular is asked for: staff grade the submission as a whole')];
  } catch (error) {
    // A submission can make reading fail in ways nobody foresaw; that costs the display, never the batch.
    return [none(submit.file ?? submit.answer ?? submit.cell ?? q.id, `could not be read: ${(error as Error).message}`)];
  }
}

function none(source: string, problem: string): MaterialT {
  return { kind: 'none', source, mediaType: '', problem };
}

/** Reads a regular file of the submission: no symlinks (they could point at the host's files), no FIFOs, size-capped. */
async function readSubmissionFile(dir: string, rel: string, cap: number): Promise<{ bytes: Buffer; size: number } | { problem: string }> {
  const file = path.join(dir, rel);
  if (path.relative(dir, file).startsWith('..')) return { problem: `${rel} is outside the submission` };
  let handle: import('node:fs/promises').FileHandle;
  try {
    handle = await open(file, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW | fsConstants.O_NONBLOCK);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    return { problem: code === 'ENOENT' ? `not handed in: ${rel} is not in the submission` : code === 'ELOOP' ? `${rel} is a symbolic link; expected a plain file` : `${rel} cannot be read (${code})` };
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) return { problem: `${rel} is not a plain file` };
    if (info.size > cap) return { problem: `${rel} is ${(info.size / 1024 / 1024).toFixed(1)} MiB, too large to show (at most ${cap / 1024 / 1024} MiB): open it in the submission` };
    return { bytes: await handle.readFile(), size: info.size };
  } finally {
    await handle.close();
  }
}

async function fileMaterial(dir: string, rel: string): Promise<MaterialT> {
  const mediaType = mediaTypeOf(rel);
  const read = await readSubmissionFile(dir, rel, MAX_MATERIAL_BYTES);
  if ('problem' in read) return { kind: 'file', source: rel, mediaType, problem: read.problem };
  const base = { kind: 'file' as const, source: rel, bytes: read.size, sha256: createHash('sha256').update(read.bytes).digest('hex') };
  if (mediaType.startsWith('image/')) return { ...base, mediaType, data: read.bytes.toString('base64') };
  if (mediaType === 'application/pdf') return { ...base, mediaType, problem: 'a PDF is not shown here: open it in the submission' };
  const text = decodeText(read.bytes);
  if (text === undefined) return { ...base, mediaType, problem: `${rel} is not text and not an image dlgrade shows` };
  return { ...base, mediaType: mediaType === 'application/octet-stream' ? 'text/plain' : mediaType, ...cut(text) };
}

function decodeText(bytes: Buffer): string | undefined {
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return text.includes('\u0000') ? undefined : text;
  } catch {
    return undefined;
  }
}

function cut(text: string): { text: string; truncated?: boolean } {
  return text.length > MAX_MATERIAL_TEXT ? { text: text.slice(0, MAX_MATERIAL_TEXT), truncated: true } : { text };
}

/** The answers file: the manifest's file, or the same name as .yaml, .yml or .json. */
function answersFileNames(files: readonly string[]): string[] {
  const names: string[] = [];
  for (const f of files) {
    const stem = f.slice(0, f.length - path.extname(f).length);
    for (const name of [f, `${stem}.yaml`, `${stem}.yml`, `${stem}.json`]) if (!names.includes(name)) names.push(name);
  }
  return names;
}

async function answerMaterial(dir: string, files: readonly string[], section: string): Promise<MaterialT> {
  let problem = `no answers file (${answersFileNames(files).join(', ')})`;
  for (const name of answersFileNames(files)) {
    const read = await readSubmissionFile(dir, name, MAX_YAML_BYTES);
    if ('problem' in read) {
      if (!read.problem.startsWith('not handed in')) problem = read.problem;
      continue;
    }
    const source = `${name}: ${section}`;
    const text = decodeText(read.bytes);
    if (text === undefined) return { kind: 'answer', source, mediaType: '', problem: `${name} is not a text file` };
    // JSON is YAML, so one parser serves both; only this section is read, however broken the rest.
    const doc = parseDocument(text, { uniqueKeys: false, prettyErrors: false });
    if (doc.errors.length > 0) return { kind: 'answer', source, mediaType: '', problem: `${name} is not valid YAML or JSON: ${doc.errors[0].message.split('\n')[0]}` };
    const node = doc.get(section, true) as { range?: [number, number, number] } | undefined;
    if (node === undefined || node === null || (isScalar(node) && (node.value === null || node.value === ''))) {
      return { kind: 'answer', source, mediaType: '', problem: `not answered: ${name} has no "${section}" section` };
    }
    if (isScalar(node)) return { kind: 'answer', source, mediaType: 'text/markdown', ...cut(String(node.value)) };
    // A mapping or list is shown as the student wrote it.
    const [from, to] = node.range ?? [0, 0];
    return { kind: 'answer', source, mediaType: 'text/yaml', ...cut(text.slice(from, to)) };
  }
  return { kind: 'answer', source: section, mediaType: '', problem };
}

/** Notebooks of the submission: top level and one folder down, as students hand them in. */
async function notebooks(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    if (entry.isFile() && entry.name.endsWith('.ipynb')) found.push(entry.name);
    else if (entry.isDirectory() && !entry.name.startsWith('.') && entry.name !== '__MACOSX') {
      for (const inner of await readdir(path.join(dir, entry.name), { withFileTypes: true }).catch(() => [])) {
        if (inner.isFile() && inner.name.endsWith('.ipynb')) found.push(path.join(entry.name, inner.name));
      }
    }
  }
  return found.sort();
}

interface NotebookCell {
  cell_type?: unknown;
  source?: unknown;
  metadata?: { tags?: unknown };
  outputs?: { output_type?: unknown; text?: unknown; data?: Record<string, unknown> }[];
}

/** nbformat stores multi-line strings as lists of lines. */
const joined = (v: unknown): string => (Array.isArray(v) ? v.map(String).join('') : typeof v === 'string' ? v : '');

/** Cells tagged `tag` (nbformat 4 `metadata.tags`), each with its source, text outputs and first image. */
async function cellMaterial(dir: string, tag: string): Promise<MaterialT[]> {
  const found: MaterialT[] = [];
  for (const rel of await notebooks(dir)) {
    const read = await readSubmissionFile(dir, rel, 16 * MAX_MATERIAL_BYTES);
    if ('problem' in read) continue;
    let nb: { cells?: unknown };
    try {
      nb = JSON.parse(read.bytes.toString('utf8')) as { cells?: unknown };
    } catch {
      continue;
    }
    const cells = Array.isArray(nb?.cells) ? (nb.cells as NotebookCell[]) : [];
    cells.forEach((cell, i) => {
      const tags = Array.isArray(cell?.metadata?.tags) ? cell.metadata!.tags : [];
      if (!(tags as unknown[]).includes(tag)) return;
      const source = `${rel}: cell ${i + 1} (tag ${tag})`;
      const texts = [joined(cell.source)];
      for (const output of Array.isArray(cell.outputs) ? cell.outputs : []) {
        const text = output?.output_type === 'stream' ? joined(output.text) : joined(output?.data?.['text/plain']);
        if (text) texts.push(`--- output ---\n${text}`);
      }
      const mediaType = cell.cell_type === 'markdown' ? 'text/markdown' : 'text/x-python';
      found.push({ kind: 'cell', source, mediaType, ...cut(texts.join('\n')) });
      for (const output of Array.isArray(cell.outputs) ? cell.outputs : []) {
        const png = joined(output?.data?.['image/png']).replace(/\s+/g, '');
        if (png && png.length <= (MAX_MATERIAL_BYTES * 4) / 3) found.push({ kind: 'cell', source: `${source}, figure`, mediaType: 'image/png', data: png, bytes: Math.floor((png.length * 3) / 4) });
      }
    });
  }
  return found;
}
