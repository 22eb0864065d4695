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
