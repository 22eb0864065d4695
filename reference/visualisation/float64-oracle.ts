// An independent oracle for the visualisation tests: TinyNet's forward pass and a hand-written backward pass as plain
// float64 loops, and every map and ascent step of assignments.md §5 built on them. No TensorFlow.js, nothing shared
// with the reference beyond the arrays it reads.
import { toNumbers, type NdArray } from '../../graders/npz/ndarray.js';

/** A float64 tensor in row-major (NCHW) order. */
export interface Tensor64 {
  shape: number[];
  data: Float64Array;
}

interface Conv64 {
  weight: Tensor64; // [out, in, k, k]
  bias: Float64Array;
}

/** TinyNet's parameters in float64: three 3×3 convolutions (padding 1) and the classifier. */
export interface TinyNet64 {
  convs: Conv64[];
  classifierWeight: Tensor64; // [classes, 16]
  classifierBias: Float64Array;
}

/** How a ReLU passes a gradient back: the true derivative, guided backprop's rule, or the deconvnet rule. */
export type ReluRule = 'plain' | 'guided' | 'deconvnet';

export function tensor64(a: NdArray): Tensor64 {
  return { shape: [...a.shape], data: Float64Array.from(toNumbers(a)) };
}

function zeros(shape: number[]): Tensor64 {
  return { shape, data: new Float64Array(shape.reduce((a, b) => a * b, 1)) };
}

/** Reads TinyNet's parameters from arrays keyed by PyTorch's parameter names (features.0.weight, …). */
export function tinyNet64(weights: Record<string, NdArray>): TinyNet64 {
  const need = (name: string) => {
    const a = weights[name];
    if (!a) throw new Error(`the weights have no ${name}`);
    return tensor64(a);
  };
  return {
    convs: ['features.0', 'features.3', 'features.6'].map((name) => ({ weight: need(`${name}.weight`), bias: need(`${name}.bias`).data })),
    classifierWeight: need('classifier.weight'),
    classifierBias: need('classifier.bias').data,
  };
}

/**
 * Visits every tap of a 3×3 convolution with zero padding 1 and stride 1 (nn.Conv2d(k=3, padding=1)) on an input of
 * `inputShape`: the flat indices of the output, the input and the weight it joins. Forward and backward both walk it.
 */
function forEachConvTap(inputShape: number[], weightShape: number[], visit: (output: number, input: number, weight: number) => void): void {
  const [n, cin, h, w] = inputShape;
  const [cout, , k] = weightShape;
  const pad = (k - 1) / 2;
  for (let b = 0; b < n; b++)
    for (let o = 0; o < cout; o++)
      for (let i = 0; i < h; i++)
        for (let j = 0; j < w; j++)
          for (let c = 0; c < cin; c++)
            for (let di = 0; di < k; di++)
              for (let dj = 0; dj < k; dj++) {
                const ii = i + di - pad;
                const jj = j + dj - pad;
                if (ii < 0 || ii >= h || jj < 0 || jj >= w) continue;
                visit(((b * cout + o) * h + i) * w + j, ((b * cin + c) * h + ii) * w + jj, ((o * cin + c) * k + di) * k + dj);
              }
}

function conv(x: Tensor64, { weight, bias }: Conv64): Tensor64 {
  const [n, , h, w] = x.shape;
  const cout = weight.shape[0];
  const y = zeros([n, cout, h, w]);
  for (let i = 0; i < y.data.length; i++) y.data[i] = bias[Math.floor(i / (h * w)) % cout];
  forEachConvTap(x.shape, weight.shape, (out, input, wi) => (y.data[out] += weight.data[wi] * x.data[input]));
  return y;
}

/** ∂L/∂x of conv from ∂L/∂y: every output position sends its gradient back to the inputs its kernel touched. */
function convBackward(dy: Tensor64, { weight }: Conv64, inputShape: number[]): Tensor64 {
  const dx = zeros(inputShape);
  forEachConvTap(inputShape, weight.shape, (out, input, wi) => (dx.data[input] += dy.data[out] * weight.data[wi]));
  return dx;
}

function relu(x: Tensor64): Tensor64 {
  return { shape: x.shape, data: x.data.map((v) => (v > 0 ? v : 0)) };
}

/** The ReLU's backward under a rule; the derivative at exactly 0 is 0, as in PyTorch. */
function reluBackward(dy: Tensor64, pre: Tensor64, rule: ReluRule): Tensor64 {
  const data = dy.data.map((g, i) => {
    const open = pre.data[i] > 0;
    switch (rule) {
      case 'plain':
        return open ? g : 0;
      case 'guided':
        return open && g > 0 ? g : 0;
      case 'deconvnet':
        return g > 0 ? g : 0;
    }
  });
  return { shape: dy.shape, data };
}

/** 2×2 max pooling, stride 2; `from` records which input each output came from (the first maximum, row-major). */
function maxPool(x: Tensor64): { y: Tensor64; from: Int32Array } {
  const [n, c, h, w] = x.shape;
  const y = zeros([n, c, h / 2, w / 2]);
  const from = new Int32Array(y.data.length);
  let out = 0;
  for (let p = 0; p < n * c; p++)
    for (let i = 0; i < h / 2; i++)
      for (let j = 0; j < w / 2; j++, out++) {
        let best = -1;
        for (let di = 0; di < 2; di++)
          for (let dj = 0; dj < 2; dj++) {
            const at = (p * h + 2 * i + di) * w + 2 * j + dj;
            if (best < 0 || x.data[at] > x.data[best]) best = at;
          }
        y.data[out] = x.data[best];
        from[out] = best;
      }
  return { y, from };
}

function maxPoolBackward(dy: Tensor64, from: Int32Array, inputShape: number[]): Tensor64 {
  const dx = zeros(inputShape);
  for (let i = 0; i < dy.data.length; i++) dx.data[from[i]] += dy.data[i];
  return dx;
}

/** Everything the backward pass needs from a forward pass. */
interface Trace {
  input: Tensor64;
  /** Per block: the convolution's output (the ReLU's input), and for the first two the pooling's choices. */
  pre: Tensor64[];
  pools: { from: Int32Array; inputShape: number[] }[];
  /** model.features(x): the last ReLU's output, [N, 16, h/4, w/4]. */
  features: Tensor64;
  scores: Tensor64;
}

function features(net: TinyNet64, x: Tensor64): Omit<Trace, 'scores'> {
  const pre: Tensor64[] = [];
  const pools: Trace['pools'] = [];
  let h = x;
  net.convs.forEach((c, block) => {
    const z = conv(h, c);
    pre.push(z);
    h = relu(z);
    if (block < 2) {
      const pooled = maxPool(h);
      pools.push({ from: pooled.from, inputShape: h.shape });
      h = pooled.y;
    }
  });
  return { input: x, pre, pools, features: h };
}

/** The class scores [N, classes] of features A: global average pool, then the classifier. */
function head(net: TinyNet64, a: Tensor64): Tensor64 {
  const [n, k, h, w] = a.shape;
  const [classes] = net.classifierWeight.shape;
  const s = zeros([n, classes]);
  for (let b = 0; b < n; b++)
    for (let o = 0; o < classes; o++) {
      let v = net.classifierBias[o];
      for (let c = 0; c < k; c++) {
        let mean = 0;
        for (let p = 0; p < h * w; p++) mean += a.data[(b * k + c) * h * w + p];
        v += net.classifierWeight.data[o * k + c] * (mean / (h * w));
      }
      s.data[b * classes + o] = v;
    }
  return s;
}

function headBackward(net: TinyNet64, dScores: Tensor64, featureShape: number[]): Tensor64 {
  const [n, k, h, w] = featureShape;
  const [classes] = net.classifierWeight.shape;
  const da = zeros(featureShape);
  for (let b = 0; b < n; b++)
    for (let c = 0; c < k; c++) {
      let g = 0;
      for (let o = 0; o < classes; o++) g += dScores.data[b * classes + o] * net.classifierWeight.data[o * k + c];
      for (let p = 0; p < h * w; p++) da.data[(b * k + c) * h * w + p] = g / (h * w);
    }
  return da;
}

export function forward(net: TinyNet64, x: Tensor64): Trace {
  const f = features(net, x);
  return { ...f, scores: head(net, f.features) };
}

/** The class scores as rows. */
export function scores64(net: TinyNet64, x: Tensor64): number[][] {
  const s = forward(net, x).scores;
  const classes = s.shape[1];
  return Array.from({ length: s.shape[0] }, (_, b) => Array.from(s.data.subarray(b * classes, (b + 1) * classes)));
}

/** ∂(Σ_n s[n, y[n]]) / ∂ scores: one at each image's target. */
function targetSelector(net: TinyNet64, y: number[]): Tensor64 {
  const classes = net.classifierWeight.shape[0];
  const d = zeros([y.length, classes]);
  y.forEach((t, b) => (d.data[b * classes + t] = 1));
  return d;
}

/** Back from ∂/∂A (the features) to ∂/∂x through the three blocks, ReLUs passing gradient by `rule`. */
function featuresBackward(net: TinyNet64, trace: Trace, dA: Tensor64, rule: ReluRule): Tensor64 {
  let g = dA;
  for (let block = 2; block >= 0; block--) {
    if (block < 2) g = maxPoolBackward(g, trace.pools[block].from, trace.pools[block].inputShape);
    g = reluBackward(g, trace.pre[block], rule);
    g = convBackward(g, net.convs[block], block === 0 ? trace.input.shape : poolOutputShape(trace.pools[block - 1].inputShape));
  }
  return g;
}

function poolOutputShape([n, c, h, w]: number[]): number[] {
  return [n, c, h / 2, w / 2];
}

/** ∂(Σ_n s[n, y[n]]) / ∂x, through ReLUs that follow `rule`. */
export function scoreGradient64(net: TinyNet64, x: Tensor64, y: number[], rule: ReluRule = 'plain'): Tensor64 {
  const trace = forward(net, x);
  const dA = headBackward(net, targetSelector(net, y), trace.features.shape);
  return featuresBackward(net, trace, dA, rule);
}

/** S[n, h, w] = max_c |∂s_y/∂X[n, c, h, w]|. */
export function saliency64(net: TinyNet64, x: Tensor64, y: number[]): Tensor64 {
  const g = scoreGradient64(net, x, y);
  const [n, c, h, w] = g.shape;
  const s = zeros([n, h, w]);
  for (let b = 0; b < n; b++)
    for (let p = 0; p < h * w; p++) {
      let m = 0;
      for (let ch = 0; ch < c; ch++) m = Math.max(m, Math.abs(g.data[(b * c + ch) * h * w + p]));
      s.data[b * h * w + p] = m;
    }
  return s;
}

/** Grad-CAM: relu(Σ_k α[n,k] A[n,k]) with α the mean over positions of ∂s_y/∂A; [N, h/4, w/4]. */
export function gradCam64(net: TinyNet64, x: Tensor64, y: number[]): Tensor64 {
  const trace = forward(net, x);
  const a = trace.features;
  const dA = headBackward(net, targetSelector(net, y), a.shape);
  const [n, k, h, w] = a.shape;
  const cam = zeros([n, h, w]);
  for (let b = 0; b < n; b++)
    for (let c = 0; c < k; c++) {
      let alpha = 0;
      for (let p = 0; p < h * w; p++) alpha += dA.data[(b * k + c) * h * w + p];
      alpha /= h * w;
      for (let p = 0; p < h * w; p++) cam.data[b * h * w + p] += alpha * a.data[(b * k + c) * h * w + p];
    }
  return relu(cam);
}

/** F.interpolate(maps[:, None], size, mode="bilinear", align_corners=False)[:, 0] for maps [N, h, w]. */
export function bilinear64(maps: Tensor64, size: number): Tensor64 {
  const [n, h, w] = maps.shape;
  // Half-pixel centres: output pixel i samples the input at (i + 0.5)·(in/out) − 0.5, clamped below at 0.
  const source = (i: number, inSize: number) => {
    const s = Math.max(0, ((i + 0.5) * inSize) / size - 0.5);
    const lo = Math.floor(s);
    return { lo, hi: Math.min(lo + 1, inSize - 1), t: s - lo };
  };
  const out = zeros([n, size, size]);
  for (let b = 0; b < n; b++)
    for (let i = 0; i < size; i++) {
      const r = source(i, h);
      for (let j = 0; j < size; j++) {
        const c = source(j, w);
        const at = (ii: number, jj: number) => maps.data[(b * h + ii) * w + jj];
        const top = at(r.lo, c.lo) * (1 - c.t) + at(r.lo, c.hi) * c.t;
        const bottom = at(r.hi, c.lo) * (1 - c.t) + at(r.hi, c.hi) * c.t;
        out.data[(b * size + i) * size + j] = top * (1 - r.t) + bottom * r.t;
      }
    }
  return out;
}

/** Guided backprop times the Grad-CAM map upsampled to the image's size, over every channel. */
export function guidedGradCam64(net: TinyNet64, x: Tensor64, y: number[]): Tensor64 {
  const guided = scoreGradient64(net, x, y, 'guided');
  const [n, c, h, w] = x.shape;
  const up = bilinear64(gradCam64(net, x, y), h);
  const out = zeros(x.shape);
  for (let b = 0; b < n; b++)
    for (let ch = 0; ch < c; ch++)
      for (let p = 0; p < h * w; p++) out.data[(b * c + ch) * h * w + p] = guided.data[(b * c + ch) * h * w + p] * up.data[b * h * w + p];
  return out;
}

/** (X − baseline) · (1/steps) Σ_{k=1..steps} ∇_X s_y at baseline + (k/steps)(X − baseline). */
export function integratedGradients64(net: TinyNet64, x: Tensor64, y: number[], baseline: Tensor64, steps: number): Tensor64 {
  const total = zeros(x.shape);
  for (let k = 1; k <= steps; k++) {
    const point = { shape: x.shape, data: x.data.map((v, i) => baseline.data[i] + (k / steps) * (v - baseline.data[i])) };
    const g = scoreGradient64(net, point, y);
    for (let i = 0; i < total.data.length; i++) total.data[i] += g.data[i];
  }
  return { shape: x.shape, data: total.data.map((t, i) => ((x.data[i] - baseline.data[i]) * t) / steps) };
}

function l2Norm(t: Tensor64): number {
  let s = 0;
  for (const v of t.data) s += v * v;
  return Math.sqrt(s);
}

/** img + lr · g/‖g‖₂ with g = ∇(s_target − l2_reg‖img‖²), for one image [1, 3, h, w]. */
export function classVisStep64(net: TinyNet64, img: Tensor64, target: number, l2Reg: number, lr: number): Tensor64 {
  const ds = scoreGradient64(net, img, [target]);
  const g = ds.data.map((v, i) => v - 2 * l2Reg * img.data[i]);
  const norm = Math.sqrt(g.reduce((s, v) => s + v * v, 0));
  return { shape: img.shape, data: img.data.map((v, i) => v + (lr * g[i]) / norm) };
}

export function classVisRun64(net: TinyNet64, init: Tensor64, target: number, iterations: number, l2Reg: number, lr: number): Tensor64 {
  let img = init;
  for (let i = 0; i < iterations; i++) img = classVisStep64(net, img, target, l2Reg, lr);
  return img;
}

export function argmax(row: number[]): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if (row[i] > row[best]) best = i;
  return best;
}

/** The course's fooling image: steps of size 1 along ∇s_target/‖∇s_target‖₂ until the model says target. */
export function foolingImage64(net: TinyNet64, x: Tensor64, target: number, maxSteps = 100): { image: Tensor64; steps: number } {
  let img = x;
  for (let step = 0; step < maxSteps; step++) {
    if (argmax(scores64(net, img)[0]) === target) return { image: img, steps: step };
    const g = scoreGradient64(net, img, [target]);
    const norm = l2Norm(g);
    img = { shape: img.shape, data: img.data.map((v, i) => v + g.data[i] / norm) };
  }
  return { image: img, steps: maxSteps };
}

/** max |actual − expected| / max |expected|, how the manifest compares maps (`scaled`); Infinity on a length mismatch. */
export function scaledError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) return Infinity;
  let worst = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    worst = Math.max(worst, Math.abs(Number(actual[i]) - Number(expected[i])));
    scale = Math.max(scale, Math.abs(Number(expected[i])));
  }
  return worst === 0 ? 0 : worst / scale;
}

/** after − before, elementwise: what an ascent changed (the image itself would hide a wrong step). */
export function changeFrom(before: ArrayLike<number>, after: ArrayLike<number>): Float64Array {
  return Float64Array.from({ length: before.length }, (_, i) => Number(after[i]) - Number(before[i]));
}
