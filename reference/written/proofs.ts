// Reference for the manually graded questions `xor_proof` and `min_norm_proof`: what staff look for (no autograding).

/** A manually graded question: the rubric staff score against. */
export interface ManualQuestionKey {
  rubric: string[];
}

export const MANUAL_QUESTIONS: Record<'xor_proof' | 'min_norm_proof', ManualQuestionKey> = {
  xor_proof: {
    rubric: [
      'assumes weights w, b with w·x + b >= 0 exactly on the XOR-true inputs',
      'writes the four inequalities: b < 0, w2 + b >= 0, w1 + b >= 0, w1 + w2 + b < 0',
      'adds the middle two and compares with the others to reach a contradiction',
    ],
  },
  min_norm_proof: {
    rubric: [
      'shows every gradient-descent iterate from w0 = 0 stays in the row space of X',
      'shows the limit interpolates (Xw = y) and that the interpolant in the row space is unique',
      'concludes it is the minimum-norm solution w* = Xᵀ(XXᵀ)⁻¹y (e.g. by orthogonality of the null-space component)',
    ],
  },
};
