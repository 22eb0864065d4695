// Reference for `conv_as_matrix`: a strided, padded 2-D cross-correlation written as a matrix A with vec(Y) = A vec(X).
import type { WrittenVariant } from './variant.js';

/** The fixed setting of the question: a 3×3 input, a 3×3 kernel, stride 4, padding 2. */
export const CONV_SETTING = { inputSize: 3, kernelSize: 3, stride: 4, padding: 2 } as const;

/** Output length along one axis: floor((n + 2p − k) / s) + 1. */
export function convOutputLength(n: number, k: number, stride: number, padding: number): number {
  return Math.floor((n + 2 * padding - k) / stride) + 1;
}

/**
 * Y[i][j] = Σ_{u,v} W[u][v] · Xpad[i·s + u][j·s + v]: cross-correlation (no kernel flip), as PyTorch's conv2d,
 * with zero padding p on every side.
 */
export function crossCorrelate2d(x: number[][], w: number[][], stride: number, padding: number): number[][] {
  const rows = x.length;
  const cols = x[0].length;
  const k = w.length;
  const kc = w[0].length;
  const outRows = convOutputLength(rows, k, stride, padding);
  const outCols = convOutputLength(cols, kc, stride, padding);
  const y: number[][] = [];
  for (let i = 0; i < outRows; i++) {
    const out: number[] = [];
    for (let j = 0; j < outCols; j++) {
      let s = 0;
      for (let u = 0; u < k; u++) {
        for (let v = 0; v < kc; v++) {
          const r = i * stride + u - padding;
          const c = j * stride + v - padding;
          if (r >= 0 && r < rows && c >= 0 && c < cols) s += w[u][v] * x[r][c];
        }
      }
      out.push(s);
    }
    y.push(out);
  }
  return y;
}

/** The kernel rotated by 180°: what a "true" convolution correlates with. */
export function flipKernel(w: number[][]): number[][] {
  return w.map((row) => [...row].reverse()).reverse();
}

/**
 * The matrix A with vec(Y) = A vec(X), vec row-major: column c of A is the output for the c-th basis image.
 * Built from the convolution itself, so it is right by construction for any kernel, stride and padding.
 */
export function convMatrix(w: number[][], inputSize: number, stride: number, padding: number): number[][] {
  const n = inputSize * inputSize;
  const columns: number[][] = [];
  for (let c = 0; c < n; c++) {
    const basis = Array.from({ length: inputSize }, (_, r) =>
      Array.from({ length: inputSize }, (_, q) => (r * inputSize + q === c ? 1 : 0)),
    );
    columns.push(crossCorrelate2d(basis, w, stride, padding).flat());
  }
  return columns[0].map((_, r) => columns.map((col) => col[r]));
}

/** The expected answers for a kernel. */
export interface ConvAsMatrixKey {
  output_size: number[];
  A: number[][];
  /** The kernel of the variant, used by the property check. */
  W: number[][];
}

/** Output size and matrix A for the variant's kernel. */
export function solveConvAsMatrix(variant: WrittenVariant): ConvAsMatrixKey {
  const { inputSize, kernelSize, stride, padding } = CONV_SETTING;
  const W = variant.conv_as_matrix.W;
  const side = convOutputLength(inputSize, kernelSize, stride, padding);
  return { output_size: [side, side], A: convMatrix(W, inputSize, stride, padding), W };
}

/** Known wrong answers: A of a true convolution (kernel flipped), A of the transposed layout (column-major vec). */
export const convAsMatrixMistakes = {
  'flipped-kernel': (variant: WrittenVariant): number[][] => {
    const { inputSize, stride, padding } = CONV_SETTING;
    return convMatrix(flipKernel(variant.conv_as_matrix.W), inputSize, stride, padding);
  },
  'column-major': (variant: WrittenVariant): number[][] => {
    const { inputSize, stride, padding } = CONV_SETTING;
    const a = convMatrix(variant.conv_as_matrix.W, inputSize, stride, padding);
    const out = convOutputLength(inputSize, CONV_SETTING.kernelSize, stride, padding);
    // Reorder rows and columns from row-major to column-major numbering.
    const cm = (index: number, side: number) => (index % side) * side + Math.floor(index / side);
    return a.map((_, r) => a[cm(r, out)].map((_, c) => a[cm(r, out)][cm(c, inputSize)]));
  },
};
