import { describe, expect, it } from 'vitest';
import { createReporters, defaultReporters, parseReporterNames, REPORTER_NAMES } from './index.js';

const names = (m: ReturnType<typeof createReporters>) => (m as unknown as { reporters: { name: string }[] }).reporters.map((r) => r.name);

describe('createReporters', () => {
  it.each([
    ['check', {}, ['console']],
    ['ci', {}, ['console']],
    ['ci', { junitFile: '/tmp/j.xml' }, ['console', 'junit']],
    ['grade', { outDir: '/tmp/out' }, ['json', 'report', 'gradescope', 'class-files', 'class-report']],
  ] as const)('%s with %j uses %j by default', (mode, options, expected) => {
    expect(defaultReporters(mode, options)).toEqual(expected);
  });

  it('check --json is the json reporter, on stdout', () => {
    expect(names(createReporters('check', { names: ['json'] }))).toEqual(['json']);
  });

  it('takes repeated and comma-separated names, once each', () => {
    expect(parseReporterNames(['console,json', 'json'])).toEqual(['console', 'json']);
  });

  it('grade always writes the canonical results, whatever else is asked for', () => {
    expect(names(createReporters('grade', { outDir: '/tmp/out', names: ['junit'] }))).toEqual(['json', 'junit']);
  });

  it('an unknown name lists the known ones', () => {
    expect(() => createReporters('check', { names: ['html'] })).toThrow(`--reporter must be one of ${REPORTER_NAMES.join(', ')}, got "html" (string)`);
  });

  it('a reporter that writes files is refused where there is no output folder', () => {
    expect(() => createReporters('check', { names: ['report'] })).toThrow('--reporter report needs an output folder: only grade writes one (--out)');
  });
});
