import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { publicManifest } from './assignment-files.js';

const MANIFEST = `# course notes: the hidden cases test odd sizes
schema: 1
id: demo
title: Demo
version: "1"
runner: python
files: [m.py]
solution: ../solution
seed: 1
questions:
  - id: a
    title: A # see the hidden trick
    points: 1
    steps: [{ call: m.f, args: [$x], as: y }]
    outputs: { y: $y }
    cases:
      - { id: shown, visibility: public }
      # the secret one
      - { id: secret-case, visibility: hidden, description: uses the trick }
  - id: b
    title: B
    points: 1
    steps: [{ call: m.g, args: [$x], as: y }]
    outputs: { y: $y }
    cases:
      - { id: only-hidden, visibility: hidden }
`;

describe('publicManifest', () => {
  it('drops hidden cases, questions left without a case, the solution path and every comment', () => {
    const text = publicManifest(MANIFEST, 'demo/manifest.yaml');
    const m = parse(text) as { solution?: string; questions: { id: string; cases: { id: string }[] }[] };
    expect(m.solution).toBeUndefined();
    expect(m.questions.map((q) => q.id)).toEqual(['a']);
    expect(m.questions[0].cases.map((c) => c.id)).toEqual(['shown']);
    expect(text).not.toMatch(/secret|hidden|trick/);
  });
});
