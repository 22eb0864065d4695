// A class's work the way it arrives: a Canvas zip and its extracted folder, a Moodle folder, GitHub Classroom
// clones, a Gradescope export, notebooks as Jupyter writes them, and folders named as people name them. Fixtures
// are built in a temporary folder; each layout is graded by one CLI run, the runs side by side.
import { execFileSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, symlink, truncate, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Ajv } from 'ajv';
import { Result, type ResultT } from '../../graders/result/schema.js';
import { buildZip } from '../../graders/intake/zip-builder.js';
import { jupyterNotebook } from '../../graders/intake/notebook-builder.js';
import { ROOT, dlgrade } from './cli.js';

const EXAMPLES = path.join(ROOT, 'examples', 'style-transfer');
const DEADLINE = '2026-03-01T23:59:00-05:00';

interface Run {
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
  results: Map<string, ResultT>;
}

async function grade(target: string, out: string, extra: string[] = [], assignment = 'style-transfer', env?: Record<string, string>): Promise<Run> {
  const run = await dlgrade(['grade', assignment, target, '--out', out, '--jobs', '2', '--no-progress', ...extra], { timeoutMs: 400_000, env });
  const results = new Map<string, ResultT>();
  for (const file of await readdir(path.join(out, 'results')).catch(() => [] as string[])) {
    results.set(file.replace(/\.json$/, ''), JSON.parse(await readFile(path.join(out, 'results', file), 'utf8')));
  }
  return { exitCode: run.exitCode, stdout: String(run.stdout), stderr: String(run.stderr), results };
}

/** Points per question, the verdict two submissions must share. */
const verdicts = (r: ResultT | undefined) => Object.fromEntries((r?.questions ?? []).map((q) => [q.id, q.points]));

/** The correct solution and a partly wrong one (no content weight), as cells a student would write. */
function notebookOf(code: string, options: { plotInLoss?: boolean } = {}): string {
  const [imports, ...defs] = code.split(/\n\n\n/);
  const loss = options.plotInLoss ? defs[0].replace('        return content_weight', '        plt.plot([0])\n        return content_weight') : defs[0];
  return jupyterNotebook([
    { type: 'markdown', source: '# Homework 3: style transfer\nRun every cell before submitting.' },
    { source: `%matplotlib inline\n!pip install -q torchvision\nimport matplotlib.pyplot as plt\n${imports}` },
    { source: loss },
    ...defs.slice(1).map((d) => ({ source: d })),
    // A demo that would fail if run: a file that is not there, then a plot.
    { source: "img = plt.imread('cat.jpg')\nloss = ContentLoss()(1.0, img, img)\nprint(loss)\nplt.imshow(img)" },
    { source: '%%time\nfor epoch in range(100):\n    train_one_epoch()' },
    { source: 'def unfinished(:\n    pass' },
  ]);
}

function gitCommit(cwd: string, when: string): void {
  const env = { ...process.env, GIT_AUTHOR_DATE: when, GIT_COMMITTER_DATE: when, GIT_AUTHOR_NAME: 'student', GIT_AUTHOR_EMAIL: 's@example.edu', GIT_COMMITTER_NAME: 'student', GIT_COMMITTER_EMAIL: 's@example.edu' };
  execFileSync('git', ['init', '-q'], { cwd, env });
  execFileSync('git', ['add', '.'], { cwd, env });
  execFileSync('git', ['commit', '-qm', 'submit'], { cwd, env });
}

describe('intake: submissions as LMSs and people hand them in', () => {
  let tmp: string;
  let correct: string;
  let wrong: string;
  let folders: Run;
  let canvasZip: Run;
  let canvasFolder: Run;
  let moodle: Run;
  let classroom: Run;
  let gradescope: Run;
  let checkNotebook: { exitCode: number | undefined; stdout: string };
  /** The temporary folder of the folders run, to see that it leaves nothing behind. */
  let ownTmp: string;

  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'dlgrade-e2e-intake-'));
    ownTmp = path.join(tmp, 'tmp');
    await mkdir(ownTmp, { mode: 0o755 });
    correct = await readFile(path.join(EXAMPLES, 'correct', 'style_modules.py'), 'utf8');
    wrong = await readFile(path.join(EXAMPLES, 'content-no-weight', 'style_modules.py'), 'utf8');

    // An assignment with a late policy: the course's manifest plus a deadline.
    const lateAssignment = path.join(tmp, 'assignment');
    await cp(path.join(ROOT, 'assignments', 'style-transfer'), lateAssignment, { recursive: true });
    const manifest = await readFile(path.join(ROOT, 'assignments', 'style-transfer', 'manifest.yaml'), 'utf8');
    await writeFile(path.join(lateAssignment, 'manifest.yaml'), `${manifest}\nlate:\n  deadline: "${DEADLINE}"\n  penalty_percent_per_day: 10\n  max_penalty_percent: 50\n  grace_minutes: 15\n`);

    // A folder per student, named as people name things, with notebooks next to the same code as .py.
    const f = path.join(tmp, 'folders');
    const put = async (rel: string, data: string | Buffer) => {
      await mkdir(path.dirname(path.join(f, rel)), { recursive: true });
      await writeFile(path.join(f, rel), data);
    };
    await put('Jane Doe/style_modules.py', correct);
    await put('-rf/style_modules.py', wrong);
    await put('nb-correct.ipynb', notebookOf(correct));
    await put('José-García/style_modules.ipynb', notebookOf(wrong));
    await put('nb-plots/hw3.ipynb', notebookOf(correct, { plotInLoss: true }));
    await put('renamed/hw3/style_modules (1).py', correct);
    await put('x'.repeat(200) + '/style_modules.py', correct);
    await put('windows.zip', buildZip([{ name: 'hw3\\style_modules.py', data: correct }, { name: '__MACOSX/hw3/._style_modules.py', data: 'fork' }, { name: 'hw3\\..notes.txt', data: 'mine' }]));
    await put('liar.zip', buildZip([{ name: 'style_modules.py', data: Buffer.alloc(4 * 1024 * 1024, 32), deflate: true, size: 1024, crc: 0 }]));
    await put('huge/style_modules.py', correct);
    // Sparse: 3 GiB to stat and read, nothing on disk.
    await put('huge/weights.bin', '');
    await truncate(path.join(f, 'huge', 'weights.bin'), 3 * 1024 ** 3);
    await put('README.txt', 'submissions exported on Monday');
    const linked = path.join(tmp, 'elsewhere', 'linked');
    await mkdir(linked, { recursive: true });
    await writeFile(path.join(linked, 'style_modules.py'), correct);
    await symlink(linked, path.join(f, 'linked'));

    // Canvas "Download Submissions": flat names, a LATE_ re-submission with Canvas's -1, an uploaded zip one level down.
    const canvasFiles: Record<string, string | Buffer> = {
      'doejane_1001_5001_style_modules.py': correct,
      'smithjohn_LATE_1002_5002_style_modules-1.py': wrong,
      'leeann_1003_5003_hw3.zip': buildZip([
        { name: 'hw3/', data: '' },
        { name: 'hw3/style_modules.py', data: correct },
        { name: '__MACOSX/hw3/._style_modules.py', data: 'fork' },
      ]),
    };
    const canvasDir = path.join(tmp, 'canvas', 'submissions');
    await mkdir(canvasDir, { recursive: true });
    for (const [name, data] of Object.entries(canvasFiles)) await writeFile(path.join(canvasDir, name), data);
    await writeFile(path.join(tmp, 'canvas', 'submissions.zip'), buildZip(Object.entries(canvasFiles).map(([name, data]) => ({ name, data, deflate: true }))));
    const roster = path.join(tmp, 'roster.csv');
    await writeFile(roster, 'Student,ID,SIS User ID,SIS Login ID,Section,Style transfer\n    Points Possible,,,,,4\n"Doe, Jane",1001,900001,jdoe,A,\n"Smith, John",1002,900002,jsmith,A,\n"Lee, Ann",1003,900003,alee,A,\n');

    // Moodle: "Full Name_participantid_assignsubmission_file_/" folders, one holding the student's zip.
    const m = path.join(tmp, 'moodle');
    await mkdir(path.join(m, 'Jane Doe_4401_assignsubmission_file_'), { recursive: true });
    await writeFile(path.join(m, 'Jane Doe_4401_assignsubmission_file_', 'style_modules.py'), correct);
    await mkdir(path.join(m, 'Ann Lee_4402_assignsubmission_file_'), { recursive: true });
    await writeFile(path.join(m, 'Ann Lee_4402_assignsubmission_file_', 'hw3.zip'), buildZip([{ name: 'style_modules.py', data: wrong, deflate: true }]));

    // GitHub Classroom: clones named <assignment prefix>-<login>, one committed two days after the deadline.
    const g = path.join(tmp, 'classroom');
    for (const [login, code, when] of [
      ['janedoe', correct, '2026-03-01T20:00:00-05:00'],
      ['jsmith', correct, '2026-03-03T12:00:00-05:00'],
    ]) {
      const repo = path.join(g, `hw3-style-transfer-${login}`);
      await mkdir(repo, { recursive: true });
      await writeFile(path.join(repo, 'style_modules.py'), code);
      gitCommit(repo, when);
    }
    const extensions = path.join(tmp, 'extensions.csv');
    await writeFile(extensions, 'student,deadline\njanedoe,2026-03-10T23:59:00-05:00\n');

    // Gradescope "Export Submissions": submission_metadata.yml with :created_at.
    const gs = path.join(tmp, 'gradescope');
    await mkdir(path.join(gs, 'submission_101'), { recursive: true });
    await writeFile(path.join(gs, 'submission_101', 'style_modules.py'), correct);
    await writeFile(path.join(gs, 'submission_metadata.yml'), `submission_101:\n  :submitters:\n  - :name: Ada Lovelace\n    :sid: '1815'\n  :created_at: 2026-03-02 10:00:00.000000000 -05:00\n  :score: 0.0\n`);

    const out = (name: string) => path.join(tmp, `out-${name}`);
    [folders, canvasZip, moodle, classroom, gradescope] = await Promise.all([
      grade(f, out('folders'), [], 'style-transfer', { TMPDIR: ownTmp }),
      grade(path.join(tmp, 'canvas', 'submissions.zip'), out('canvas'), ['--roster', roster], lateAssignment),
      grade(m, out('moodle')),
      grade(g, out('classroom'), ['--extensions', extensions], lateAssignment),
      grade(gs, out('gradescope'), [], lateAssignment),
    ]);
    // The extracted folder, into the same output: the same files give the same results (from the cache).
    canvasFolder = await grade(canvasDir, out('canvas'), ['--roster', roster], lateAssignment);
    const check = await dlgrade(['check', 'style-transfer', '--submission', path.join(f, 'nb-correct.ipynb')], { timeoutMs: 200_000 });
    checkNotebook = { exitCode: check.exitCode, stdout: String(check.stdout) };
  }, 900_000);

  it('grades every layout without an internal error, and lists what it skipped', () => {
    for (const run of [folders, canvasZip, canvasFolder, moodle, classroom, gradescope]) {
      expect(run.stderr).not.toMatch(/internal error/);
      expect(run.exitCode, run.stderr).toBe(0);
    }
    expect(folders.stdout).toMatch(/^skipped README\.txt: a file, not a sub-folder, \.zip, \.ipynb or \.py per student$/m);
  });

  it('a folder per student: any name gets a safe id, and the original is kept', () => {
    const byOriginal = new Map([...folders.results.values()].map((r) => [r.submission.original ?? r.student, r]));
    for (const name of ['Jane Doe', '-rf', 'José-García', 'x'.repeat(200)]) {
      const r = byOriginal.get(name);
      expect(r, name).toBeDefined();
      expect(r!.student).toMatch(/^[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}$/);
    }
    expect(verdicts(byOriginal.get('x'.repeat(200)))).toEqual(verdicts(byOriginal.get('Jane Doe')));
    expect(byOriginal.get('Jane Doe')!.score.points).toBe(4);
  });

  it('notebooks as Jupyter writes them get the verdicts of the same code as .py', () => {
    const r = folders.results;
    const janePy = [...r.values()].find((x) => x.submission.original === 'Jane Doe')!;
    const rfPy = [...r.values()].find((x) => x.submission.original === '-rf')!;
    const josé = [...r.values()].find((x) => x.submission.original === 'José-García')!;
    expect(verdicts(r.get('nb-correct'))).toEqual(verdicts(janePy));
    expect(verdicts(josé)).toEqual(verdicts(rfPy));
    expect(rfPy.score.points).toBeLessThan(4);
    const nb = r.get('nb-correct')!.submission;
    expect(nb.format).toBe('notebook');
    expect(nb.notebook).toMatchObject({ file: 'nb-correct.ipynb', module: 'style_modules.py', mode: 'definitions', skippedCells: [{ cell: 8, reason: expect.stringMatching(/SyntaxError/) }] });
    expect(nb.notebook!.dropped).toEqual(
      expect.arrayContaining([
        'cell 2, line 1: %matplotlib inline — an IPython magic',
        'cell 2, line 2: !pip install -q torchvision — a shell command',
        "cell 6, line 1: img = plt.imread('cat.jpg') — top-level work (an assignment that calls code)",
        'cell 7, line 1: %%time — a cell magic',
      ]),
    );
  });

  it('a missing plotting package costs nothing unless the graded code uses it, and then it is named', () => {
    const plots = folders.results.get('nb-plots')!;
    const loss = plots.questions.find((q) => q.id === 'content_loss')!;
    expect(loss.points).toBe(0);
    expect(loss.cases[0].error?.message).toMatch(/the package 'matplotlib' is not available on the grading machine.*cell 2, line 3/);
    expect(loss.cases[0].error?.student_line).toMatchObject({ file: 'hw3.ipynb', cell: 3 });
    expect(plots.questions.filter((q) => q.id !== 'content_loss').every((q) => q.points === q.maxPoints)).toBe(true);
  });

  it('zips with Windows names and Mac forks, renamed modules and linked folders are graded, and say so', () => {
    const r = folders.results;
    expect(r.get('windows')!.score.points).toBe(4);
    expect(r.get('windows')!.submission.files).toEqual(['..notes.txt', 'style_modules.py']);
    expect(r.get('renamed')!.score.points).toBe(4);
    expect(r.get('renamed')!.submission.renames).toEqual([{ from: 'hw3/style_modules (1).py', to: 'hw3/style_modules.py' }]);
    expect(r.get('linked')!.score.points).toBe(4);
    expect(r.get('linked')!.notices).toContain('the submission is a symbolic link; its target was graded');
  });

  it('a 3 GiB file or a lying zip costs that submission only, with the file and the rule named and no host path', async () => {
    const huge = folders.results.get('huge')!;
    expect(huge.score.points).toBe(0);
    expect(huge.notices[0]).toBe('could not be graded: weights.bin is 3 GiB; a submission may hold at most 200 MiB in all');
    const liar = folders.results.get('liar')!;
    expect(liar.notices[0]).toMatch(/^could not be graded: liar\.zip: the member "style_modules\.py" (is damaged: too many bytes|inflates)/);
    for (const r of folders.results.values()) expect(JSON.stringify(r.notices)).not.toMatch(/dlgrade-sub-|EEXIST|ENAMETOOLONG/);
    expect((await readdir(ownTmp)).filter((n) => n.startsWith('dlgrade-sub-'))).toEqual([]);
  });

  it('Canvas: the zip and its extracted folder give the same results, named by SIS login through --roster, LATE_ recorded', () => {
    expect([...canvasZip.results.keys()].sort()).toEqual(['alee', 'jdoe', 'jsmith']);
    expect([...canvasFolder.results.keys()].sort()).toEqual(['alee', 'jdoe', 'jsmith']);
    for (const id of ['alee', 'jdoe', 'jsmith']) expect(verdicts(canvasFolder.results.get(id))).toEqual(verdicts(canvasZip.results.get(id)));
    expect(canvasFolder.stdout).toMatch(/3 graded|unchanged since the last run/);
    const jsmith = canvasZip.results.get('jsmith')!;
    expect(jsmith.submission).toMatchObject({ format: 'canvas', original: 'smithjohn', late: true, renames: [{ from: 'style_modules-1.py', to: 'style_modules.py' }] });
    expect(verdicts(jsmith)).toEqual(verdicts([...folders.results.values()].find((x) => x.submission.original === '-rf')));
    expect(canvasZip.results.get('alee')!.score.points).toBe(4);
    expect(canvasZip.results.get('jdoe')!.submission.late).toBeFalsy();
  });

  it('Moodle: participant ids, full names kept, an uploaded zip unpacked', () => {
    expect([...moodle.results.keys()].sort()).toEqual(['4401', '4402']);
    expect(moodle.results.get('4401')!.submission).toMatchObject({ format: 'moodle', original: 'Jane Doe' });
    expect(moodle.results.get('4401')!.score.points).toBe(4);
    expect(moodle.results.get('4402')!.score.points).toBeLessThan(4);
  });

  it('GitHub Classroom: prefix removed, commit recorded, the late policy applied from the commit time, an extension honoured', () => {
    expect([...classroom.results.keys()].sort()).toEqual(['janedoe', 'jsmith']);
    const late = classroom.results.get('jsmith')!;
    expect(late.submission.git?.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(late.submission).toMatchObject({ format: 'github-classroom', late: true, submittedAt: '2026-03-03T17:00:00.000Z', penalty: { percent: 20, before: 4, after: 3.2 } });
    expect(late.submission.submittedAtSource).toMatch(/^git \(commit/);
    expect(late.score.points).toBe(3.2);
    expect(late.notices.join('\n')).toMatch(/late: .*2 day\(s\) × 10% = 20%; 4 → 3\.2 points/);
    expect(classroom.results.get('janedoe')!.submission.penalty).toMatchObject({ percent: 0, after: 4 });
  });

  it('Gradescope: :created_at recorded and judged against the deadline', () => {
    const r = gradescope.results.get('1815')!;
    expect(r.submission).toMatchObject({ format: 'gradescope', original: 'Ada Lovelace', submittedAt: '2026-03-02T15:00:00.000Z', submittedAtSource: 'Gradescope (:created_at)', late: true });
    expect(r.submission.penalty).toMatchObject({ percent: 10, before: 4, after: 3.6 });
  });

  it('check runs on a notebook and points at cells', () => {
    expect(checkNotebook.exitCode).toBe(0);
    expect(checkNotebook.stdout).toMatch(/Total: 4\/4/);
    expect(checkNotebook.stdout).toMatch(/graded nb-correct\.ipynb as style_modules\.py/);
  });

  it('writes results that match the versioned JSON Schema', () => {
    const validate = new Ajv({ strict: false }).compile(Result);
    for (const run of [folders, canvasZip, moodle, classroom, gradescope]) {
      for (const [student, result] of run.results) expect(validate(result), `${student}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
  });
});

describe('intake: what is not a class of submissions', () => {
  it('a folder with no submission is exit 2, with what was skipped', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'dlgrade-e2e-empty-'));
    await writeFile(path.join(dir, 'notes.txt'), 'nothing here');
    const run = await dlgrade(['grade', 'style-transfer', dir, '--out', path.join(dir, 'out'), '--no-progress'], { timeoutMs: 120_000 });
    expect(run.exitCode).toBe(2);
    expect(String(run.stderr)).toMatch(/found no submission in .*Skipped:\n  notes\.txt: a file, not a sub-folder, \.zip/);
  });
});
