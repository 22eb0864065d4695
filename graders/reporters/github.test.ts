import { describe, expect, it } from 'vitest';
import { workflowCommand } from './github.js';

describe('workflowCommand', () => {
  it.each([
    [{ file: 'hw/a.py', line: '3', title: 'dlgrade: q1' }, 'boom', '::error file=hw/a.py,line=3,title=dlgrade%3A q1::boom'],
    [{ title: 'a,b' }, 'two\nlines 100%', '::error title=a%2Cb::two%0Alines 100%25'],
    [{}, 'carriage\r\nreturn', '::error::carriage%0D%0Areturn'],
  ])('%j %j', (props, message, expected) => {
    expect(workflowCommand('error', props, message)).toBe(expected);
  });
});

describe('annotations on a notebook', () => {
  it('name the notebook, and the cell and line in the message (a cell line is not a line of the .ipynb file)', async () => {
    const { annotations } = await import('./github.js');
    const result = {
      questions: [
        {
          id: 'content_loss',
          cases: [
            {
              id: 'small',
              status: 'error',
              visibility: 'public',
              outputs: [],
              mistakes: [],
              error: { type: 'NameError', message: "name 'x' is not defined", student_line: { file: 'hw3.ipynb', line: 12, cell: 3, code: 'return x' } },
            },
          ],
        },
      ],
    } as never;
    const [annotation] = annotations(result, { submissionDir: '/repo/hw', workspace: '/repo' });
    expect(annotation).toMatch(/^::error file=hw\/hw3\.ipynb,title=dlgrade%3A content_loss::/);
    expect(annotation).toMatch(/at hw3\.ipynb cell 3, line 12: return x/);
  });
});
