import { describe, expect, it } from 'vitest';
import { conv3, fc, pool2, tabulateLayers, windowOutputSize } from './layer-arithmetic.js';
import { VGG11_LAYERS, solveVgg11 } from './vgg11.js';
import { CNN_TABLE_LAYERS, solveCnnTable } from './cnn-table.js';
import { CNN_TABLE_LAYER_IDS, VGG11_LAYER_IDS } from './schema.js';

describe('layer arithmetic', () => {
  it.each([
    [224, 3, 1, 1, 224],
    [224, 2, 2, 0, 112],
    [7, 2, 2, 0, 3],
    [3, 3, 4, 2, 2],
    [5, 3, 2, 0, 2],
  ])('windowOutputSize(n=%i, k=%i, s=%i, p=%i) = %i', (n, k, s, p, out) => {
    expect(windowOutputSize(n, k, s, p)).toBe(out);
  });

  it('rejects a window that does not fit', () => {
    expect(() => windowOutputSize(1, 3, 1, 0)).toThrow(/does not fit/);
  });

  it('counts a conv layer: k·k·Cin·Cout + Cout parameters, k·k·Cin connections per neuron', () => {
    const [row] = tabulateLayers([8, 8, 3], [conv3('c', 4)]);
    expect(row).toMatchObject({ outputShape: [8, 8, 4], neurons: 256, params: 27 * 4 + 4, weightsOnly: 108, connections: 256 * 27 });
  });

  it('counts a pool layer: no parameters, size² connections per neuron, channels kept', () => {
    const [, row] = tabulateLayers([8, 8, 3], [conv3('c', 4), pool2('p')]);
    expect(row).toMatchObject({ outputShape: [4, 4, 4], neurons: 64, params: 0, connections: 64 * 4 });
  });

  it('flattens before a fully connected layer', () => {
    const [, row] = tabulateLayers([2, 2, 3], [pool2('p'), fc('f', 10)]);
    expect(row).toMatchObject({ outputShape: [10], params: 3 * 10 + 10, connections: 30 });
  });

  it('names the layers as the answers file does', () => {
    expect(VGG11_LAYERS.map((l) => l.name)).toEqual([...VGG11_LAYER_IDS]);
    expect(CNN_TABLE_LAYERS.map((l) => l.name)).toEqual([...CNN_TABLE_LAYER_IDS]);
  });

  it('vgg11 per-layer counts follow the layer formulas', () => {
    const { layers } = solveVgg11();
    expect(layers.conv1).toEqual({ output_shape: [224, 224, 64], params: 1792 });
    expect(layers.conv4_2.params).toBe(3 * 3 * 512 * 512 + 512);
    expect(layers.fc6).toEqual({ output_shape: [4096], params: 7 * 7 * 512 * 4096 + 4096 });
    expect(layers.fc8.params).toBe(4096 * 1000 + 1000);
  });

  it('cnn_table columns sum to the totals', () => {
    const { layers, totals } = solveCnnTable();
    for (const column of ['neurons', 'params', 'connections'] as const) {
      expect(Object.values(layers).reduce((s, l) => s + l[column], 0)).toBe(totals[column]);
    }
    expect(layers.fc1).toEqual({ neurons: 1024, params: 14 * 14 * 256 * 1024 + 1024, connections: 1024 * 14 * 14 * 256 });
  });
});
