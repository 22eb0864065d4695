import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { convertNotebook, notebookLine, parseNotebook } from './notebook.js';
import { jupyterNotebook } from './notebook-builder.js';

describe('reading notebooks', () => {
  it('reads nbformat 4 code cells with their position among all cells', () => {
    const nb = parseNotebook(jupyterNotebook([{ type: 'markdown', source: '# HW' }, { source: 'import torch\nx = 1' }]), 'hw.ipynb');
    expect(nb).toMatchObject({ nbformat: 4, cells: 2, codeCells: [{ cell: 2, source: 'import torch\nx = 1' }], language: 'python' });
  });

  it('reads nbformat 3 worksheets', () => {
    const v3 = { nbformat: 3, nbformat_minor: 0, metadata: {}, worksheets: [{ cells: [{ cell_type: 'heading', level: 1, source: 'HW' }, { cell_type: 'code', language: 'python', input: ['def f():\n', '    return 1'], outputs: [] }] }] };
    expect(parseNotebook(JSON.stringify(v3), 'old.ipynb').codeCells).toEqual([{ cell: 2, source: 'def f():\n    return 1' }]);
  });

  it.each([
    ['{"cells": [', /hw\.ipynb is not a usable Jupyter notebook: not valid JSON/],
    ['{"nbformat": 5, "cells": []}', /nbformat 5 is not supported \(expected 4, or 3\)/],
    ['{"cells": "nope"}', /it has no "nbformat" field, so it is not a saved notebook/],
    ['{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [{"cell_type": "code"}]}', /\/cells\/0 must have required property 'source'/],
  ])('names what is wrong with %s', (text, message) => {
    expect(() => parseNotebook(text, 'hw.ipynb')).toThrow(message);
  });
});

describe('a notebook turned into the module it stands for', () => {
  it('keeps definitions, drops magics, shell lines, display() and top-level work, and maps lines back to cells', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'dlgrade-nbtest-'));
    await writeFile(
      path.join(dir, 'hw.ipynb'),
      jupyterNotebook([
        { type: 'markdown', source: '# Style transfer' },
        { source: '%matplotlib inline\n!pip install torch\nimport torch\nimport matplotlib_not_installed_here.pyplot as plt' },
        { source: 'SCALE = 2.0\n\ndef double(x):\n    return x * SCALE\n\ndef plot(x):\n    return plt.plot(x)' },
        { source: 'model = double(torch.ones(3))\ndisplay(model)\nfor i in range(3):\n    print(i)' },
        { source: 'def broken(:\n    pass' },
      ]),
    );
    const converted = await convertNotebook({ dir, notebook: 'hw.ipynb', module: 'style_modules.py', mode: 'definitions', python: '/usr/bin/python3', workDir: dir });
    expect(converted).toMatchObject({ codeCells: 4, cellsKept: 2, cellsDropped: 2, skipped: [{ cell: 5, reason: expect.stringMatching(/^SyntaxError/) }] });
    expect(converted.dropped.map((d) => `${d.cell}:${d.line} ${d.why}`)).toEqual([
      '2:1 an IPython magic',
      '2:2 a shell command',
      '4:1 top-level work (an assignment that calls code)',
      '4:2 display()',
      '4:3 top-level work (a loop)',
    ]);
    const source = await readFile(path.join(dir, 'style_modules.py'), 'utf8');
    const lineOf = (text: string) => source.split('\n').indexOf(text) + 1;
    expect(notebookLine(converted, lineOf('    return x * SCALE'))).toEqual({ cell: 3, line: 4 });
    expect(source).not.toMatch(/range\(3\)|display/);
  });
});

describe('a notebook run top to bottom', () => {
  it('keeps every statement but magics and shell lines, and display() does nothing', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'dlgrade-nbtest-'));
    await writeFile(path.join(dir, 'hw.ipynb'), jupyterNotebook([{ source: '%load_ext autoreload\nimport math\nstate = []' }, { source: 'for i in range(3):\n    state.append(i)\ndisplay(state)' }]));
    const converted = await convertNotebook({ dir, notebook: 'hw.ipynb', module: 'hw.py', mode: 'run-all', python: '/usr/bin/python3', workDir: dir });
    expect(converted.dropped.map((d) => d.why)).toEqual(['an IPython magic']);
    const out = execFileSync('/usr/bin/python3', ['-c', 'import hw; print(hw.state)'], { cwd: dir, encoding: 'utf8' });
    expect(out.trim()).toBe('[0, 1, 2]');
  });
});
