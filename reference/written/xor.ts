// Reference for `xor`: XOR is not linearly separable, and a two-layer ReLU network computes it.
import { BINARY_INPUTS, truthTable } from './perceptron.js';

type Point = readonly [number, number];

/** f(x) = W2 · relu(W1 x + b1) + b2, with W1 [h][2], b1 [h], W2 [h], b2 a number. */
export interface TwoLayerNet {
  W1: number[][];
  b1: number[];
  W2: number[];
  b2: number;
}

/** Evaluates the two-layer ReLU network at x. */
export function evaluateTwoLayer(net: TwoLayerNet, x: readonly number[]): number {
  let out = net.b2;
  net.W1.forEach((row, j) => {
    const pre = row.reduce((s, wij, i) => s + wij * x[i], net.b1[j]);
    out += net.W2[j] * Math.max(0, pre);
  });
  return out;
}

const cross = (o: Point, a: Point, b: Point): number => (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);

/** Convex hull (Andrew's monotone chain), counter-clockwise, without collinear points; 1 or 2 points when degenerate. */
export function convexHull(points: readonly Point[]): Point[] {
  const sorted = [...points].sort((p, q) => p[0] - q[0] || p[1] - q[1]);
  const unique = sorted.filter((p, i) => i === 0 || p[0] !== sorted[i - 1][0] || p[1] !== sorted[i - 1][1]);
  if (unique.length <= 2) return unique;
  const half = (pts: Point[]): Point[] => {
    const h: Point[] = [];
    for (const p of pts) {
      while (h.length >= 2 && cross(h[h.length - 2], h[h.length - 1], p) <= 0) h.pop();
      h.push(p);
    }
    return h;
  };
  const lower = half(unique);
  const upper = half([...unique].reverse());
  return [...lower.slice(0, -1), ...upper.slice(0, -1)];
}

function onSegment(p: Point, a: Point, b: Point): boolean {
  return cross(a, b, p) === 0 && Math.min(a[0], b[0]) <= p[0] && p[0] <= Math.max(a[0], b[0]) && Math.min(a[1], b[1]) <= p[1] && p[1] <= Math.max(a[1], b[1]);
}

/** Whether two closed segments share a point (touching and collinear overlap included). */
function segmentsMeet(a: Point, b: Point, c: Point, d: Point): boolean {
  const d1 = cross(c, d, a);
  const d2 = cross(c, d, b);
  const d3 = cross(a, b, c);
  const d4 = cross(a, b, d);
  if (((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0))) return true;
  return onSegment(a, c, d) || onSegment(b, c, d) || onSegment(c, a, b) || onSegment(d, a, b);
}

function edges(hull: Point[]): [Point, Point][] {
  if (hull.length === 1) return [[hull[0], hull[0]]];
  if (hull.length === 2) return [[hull[0], hull[1]]];
  return hull.map((p, i) => [p, hull[(i + 1) % hull.length]]);
}

/** Whether p lies in the closed convex polygon (counter-clockwise, at least 3 vertices). */
function insidePolygon(p: Point, hull: Point[]): boolean {
  return hull.length >= 3 && hull.every((a, i) => cross(a, hull[(i + 1) % hull.length], p) >= 0);
}

/**
 * Whether points labelled 1 and points labelled 0 can be split by a line (w·x + b > 0 on one side).
 * For finite sets this holds exactly when the convex hulls of the two classes do not meet.
 */
export function linearlySeparable(points: readonly Point[], labels: readonly number[]): boolean {
  const pos = convexHull(points.filter((_, i) => labels[i] === 1));
  const neg = convexHull(points.filter((_, i) => labels[i] !== 1));
  if (pos.length === 0 || neg.length === 0) return true;
  const meet =
    edges(pos).some(([a, b]) => edges(neg).some(([c, d]) => segmentsMeet(a, b, c, d))) ||
    pos.some((p) => insidePolygon(p, neg)) ||
    neg.some((p) => insidePolygon(p, pos));
  return !meet;
}

/**
 * A network for XOR: h1 = relu(x1 + x2), h2 = relu(x1 + x2 − 1), f = h1 − 2 h2
 * (h1 counts the ones, h2 fires only when both are on).
 */
export const XOR_EXAMPLE_NETWORK: TwoLayerNet = {
  W1: [
    [1, 1],
    [1, 1],
  ],
  b1: [0, -1],
  W2: [1, -2],
  b2: 0,
};

/** The widest hidden layer the question allows. */
export const XOR_MAX_HIDDEN = 4;
/** How close f must be to XOR on each of the four inputs. */
export const XOR_TOLERANCE = 1e-6;

/** The expected answers: linear_separable from the geometry, and an example network (any correct one passes). */
export interface XorKey {
  linear_separable: boolean;
  network: TwoLayerNet;
}

export function solveXor(): XorKey {
  const net = XOR_EXAMPLE_NETWORK;
  const table = truthTable('xor');
  if (BINARY_INPUTS.some((x, i) => Math.abs(evaluateTwoLayer(net, x) - table[i]) > XOR_TOLERANCE)) {
    throw new Error('XOR_EXAMPLE_NETWORK does not compute XOR');
  }
  return { linear_separable: linearlySeparable(BINARY_INPUTS, table), network: net };
}
