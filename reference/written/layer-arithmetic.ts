// Shape, parameter and connection arithmetic of conv / pool / fully connected layers (shared by vgg11 and cnn_table).

/** One layer of a plain feed-forward CNN, as a course table lists it. */
export type LayerSpec =
  | { name: string; kind: 'conv'; filters: number; kernel: number; padding: number; stride: number }
  | { name: string; kind: 'pool'; size: number; stride: number }
  | { name: string; kind: 'fc'; units: number };

/** What one layer produces and costs, for an input of the previous layer's output shape. */
export interface LayerRow {
  name: string;
  kind: LayerSpec['kind'];
  /** [H, W, C] after a conv or pool, [units] after a fully connected layer. */
  outputShape: number[];
  /** Number of output values (neurons) of the layer. */
  neurons: number;
  /** Trainable parameters, biases included. */
  params: number;
  /** Trainable parameters without the biases (a common wrong answer). */
  weightsOnly: number;
  /** Input connections: for each neuron, the inputs it reads (bias not counted), summed over neurons. */
  connections: number;
}

/** Output length of a convolution or pooling window along one axis: floor((n + 2p − k) / s) + 1. */
export function windowOutputSize(n: number, kernel: number, stride: number, padding = 0): number {
  const size = Math.floor((n + 2 * padding - kernel) / stride) + 1;
  if (size < 1) throw new Error(`a window of ${kernel} with stride ${stride} and padding ${padding} does not fit an input of ${n}`);
  return size;
}

const product = (xs: number[]): number => xs.reduce((a, b) => a * b, 1);

/**
 * Runs the layers over an input shape [H, W, C] and returns one row per layer.
 * A fully connected layer flattens whatever comes before it.
 */
export function tabulateLayers(input: [number, number, number], layers: LayerSpec[]): LayerRow[] {
  let shape: number[] = [...input];
  return layers.map((layer): LayerRow => {
    switch (layer.kind) {
      case 'conv': {
        if (shape.length !== 3) throw new Error(`${layer.name}: a convolution needs an [H, W, C] input`);
        const [h, w, c] = shape;
        shape = [
          windowOutputSize(h, layer.kernel, layer.stride, layer.padding),
          windowOutputSize(w, layer.kernel, layer.stride, layer.padding),
          layer.filters,
        ];
        const fanIn = layer.kernel * layer.kernel * c;
        const weightsOnly = fanIn * layer.filters;
        return row(layer, shape, weightsOnly + layer.filters, weightsOnly, fanIn);
      }
      case 'pool': {
        if (shape.length !== 3) throw new Error(`${layer.name}: pooling needs an [H, W, C] input`);
        const [h, w, c] = shape;
        shape = [windowOutputSize(h, layer.size, layer.stride), windowOutputSize(w, layer.size, layer.stride), c];
        // Pooling works per channel: each output reads a size×size window of one channel.
        return row(layer, shape, 0, 0, layer.size * layer.size);
      }
      case 'fc': {
        const fanIn = product(shape);
        shape = [layer.units];
        const weightsOnly = fanIn * layer.units;
        return row(layer, shape, weightsOnly + layer.units, weightsOnly, fanIn);
      }
    }
  });
}

function row(layer: LayerSpec, shape: number[], params: number, weightsOnly: number, fanIn: number): LayerRow {
  const neurons = product(shape);
  return { name: layer.name, kind: layer.kind, outputShape: [...shape], neurons, params, weightsOnly, connections: neurons * fanIn };
}

/** 3×3 convolution with padding 1 and stride 1, as in VGG. */
export function conv3(name: string, filters: number): LayerSpec {
  return { name, kind: 'conv', filters, kernel: 3, padding: 1, stride: 1 };
}

/** 2×2 max pooling with stride 2. */
export function pool2(name: string): LayerSpec {
  return { name, kind: 'pool', size: 2, stride: 2 };
}

/** A fully connected layer. */
export function fc(name: string, units: number): LayerSpec {
  return { name, kind: 'fc', units };
}
