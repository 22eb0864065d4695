// Pictures for reports, where a person would rather look than read: the input image, the student's map and the
// expected one side by side; an image the student made, next to the original and their magnified difference.
// Encoded as PNG with pngjs; maps get a colour map (one shared scale, so "yours" and "expected" compare by eye).
import { PNG } from 'pngjs';
import type { Arrays } from '../answer-key/types.js';
import { type NdArray, toNumbers } from '../npz/ndarray.js';

/** One picture of a case: what it shows and the PNG, base64. */
export interface Picture {
  label: string;
  png: string;
}

/** Pictures are drawn this many pixels across (nearest-neighbour upscaling keeps every cell visible). */
const DISPLAY_SIZE = 128;

type Rgb = [number, number, number];

/** A perceptually ordered ramp from black through purple and orange to pale yellow (an inferno-like map). */
const HEAT: Rgb[] = [
  [0, 0, 4],
  [40, 11, 84],
  [101, 21, 110],
  [159, 42, 99],
  [212, 72, 66],
  [245, 125, 21],
  [250, 193, 39],
  [252, 255, 164],
];

function heat(t: number): Rgb {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (HEAT.length - 1);
  const i = Math.min(HEAT.length - 2, Math.floor(x));
  const f = x - i;
  return [0, 1, 2].map((k) => Math.round(HEAT[i][k] + f * (HEAT[i + 1][k] - HEAT[i][k]))) as Rgb;
}

/** Blue for negative, white for zero, red for positive, `t` in [-1, 1]. */
function diverging(t: number): Rgb {
  const x = Math.min(1, Math.max(-1, Number.isFinite(t) ? t : 0));
  return x >= 0 ? [255, Math.round(255 * (1 - x)), Math.round(255 * (1 - x))] : [Math.round(255 * (1 + x)), Math.round(255 * (1 + x)), 255];
}

/** Encodes an h×w picture given by `pixel(y, x)`, scaled up to DISPLAY_SIZE. */
function encode(h: number, w: number, pixel: (y: number, x: number) => Rgb): string {
  const scale = Math.max(1, Math.floor(DISPLAY_SIZE / Math.max(h, w)));
  const png = new PNG({ width: w * scale, height: h * scale });
  for (let y = 0; y < h * scale; y++) {
    for (let x = 0; x < w * scale; x++) {
      const [r, g, b] = pixel(Math.floor(y / scale), Math.floor(x / scale));
      const at = (y * w * scale + x) * 4;
      png.data[at] = r;
      png.data[at + 1] = g;
      png.data[at + 2] = b;
      png.data[at + 3] = 255;
    }
  }
  return PNG.sync.write(png).toString('base64');
}

/** Values of one picture: [C, H, W] of image `n` of a [N, C, H, W] or [N, H, W] array (C = 1 for the latter). */
function plane(a: NdArray, n: number): { c: number; h: number; w: number; v: number[] } | undefined {
  const s = a.shape;
  if (s.length === 3 && s[1] >= 4 && s[2] >= 4) return { c: 1, h: s[1], w: s[2], v: toNumbers(a).slice(n * s[1] * s[2], (n + 1) * s[1] * s[2]) };
  if (s.length === 4 && (s[1] === 1 || s[1] === 3) && s[2] >= 4 && s[3] >= 4) {
    const size = s[1] * s[2] * s[3];
    return { c: s[1], h: s[2], w: s[3], v: toNumbers(a).slice(n * size, (n + 1) * size) };
  }
  return undefined;
}

const maxAbs = (v: number[]) => v.reduce((m, x) => (Number.isFinite(x) ? Math.max(m, Math.abs(x)) : m), 0);

/** An RGB image stretched to its own range (standardised images are not in [0, 1]). */
function imagePicture(p: { c: number; h: number; w: number; v: number[] }, offset = 0, scale?: number): string {
  const finite = p.v.filter(Number.isFinite);
  const lo = scale === undefined ? Math.min(...finite) : offset - scale;
  const hi = scale === undefined ? Math.max(...finite) : offset + scale;
  const span = hi - lo || 1;
  const at = (ch: number, y: number, x: number) => p.v[(Math.min(ch, p.c - 1) * p.h + y) * p.w + x];
  return encode(p.h, p.w, (y, x) => [0, 1, 2].map((ch) => Math.round(255 * Math.min(1, Math.max(0, (at(ch, y, x) - lo) / span)))) as Rgb);
}

/** A map in a colour map: a heat map when the expected map has no negative values, blue–white–red otherwise. */
function mapPicture(p: { c: number; h: number; w: number; v: number[] }, scale: number, signed: boolean): string {
  if (p.c === 3) return imagePicture(p, 0, scale);
  const s = scale || 1;
  return encode(p.h, p.w, (y, x) => (signed ? diverging(p.v[y * p.w + x] / s) : heat(p.v[y * p.w + x] / s)));
}

/**
 * The pictures of a failed map case: the first image of `image` (the input) and, for the first item of the batch,
 * the student's map and the expected one on the expected map's scale. Nothing when the arrays are not pictures.
 */
export function mapPictures(image: NdArray | undefined, yours: NdArray | undefined, expected: NdArray): Picture[] {
  const e = plane(expected, 0);
  if (!e) return [];
  const pictures: Picture[] = [];
  const input = image ? plane(image, 0) : undefined;
  if (input && input.c === 3) pictures.push({ label: 'input', png: imagePicture(input) });
  const scale = maxAbs(e.v);
  const signed = e.v.some((x) => x < 0);
  const y = yours ? plane(yours, 0) : undefined;
  if (y) pictures.push({ label: 'yours', png: mapPicture(y, scale, signed) });
  pictures.push({ label: 'expected', png: mapPicture(e, scale, signed) });
  return pictures;
}

/** An image the student made from `original` (a fooling image, a class visualisation), with the difference magnified. */
export function madeImagePictures(original: NdArray | undefined, yours: NdArray | undefined): Picture[] {
  const y = yours ? plane(yours, 0) : undefined;
  if (!y || y.c !== 3) return [];
  const o = original ? plane(original, 0) : undefined;
  if (!o || o.v.length !== y.v.length) return [{ label: 'yours', png: imagePicture(y) }];
  const diff = { ...y, v: y.v.map((v, i) => v - o.v[i]) };
  return [
    { label: 'original', png: imagePicture(o) },
    { label: 'yours', png: imagePicture(y) },
    // Magnified so the largest change fills the range (mid-grey is no change).
    { label: `difference (±${formatMagnitude(maxAbs(diff.v))} at full scale)`, png: imagePicture(diff, 0, maxAbs(diff.v) || 1) },
  ];
}

function formatMagnitude(x: number): string {
  return x >= 100 ? String(Math.round(x)) : x.toPrecision(2);
}

/** The first input shaped like a batch of RGB images, [N, 3, H, W]: what a map explains. */
export function firstImageInput(inputs: Arrays): NdArray | undefined {
  return Object.values(inputs).find((a) => a.shape.length === 4 && a.shape[1] === 3 && a.shape[2] >= 8 && a.shape[3] >= 8);
}
