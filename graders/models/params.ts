// A manifest model's parameters as PyTorch's named_parameters() lists them, without loading TensorFlow.js.
import type { ModelLayerT, ModelT } from '../manifest/schema.js';

/** A parameter as `named_parameters()` lists it. */
export interface ParamSpec {
  name: string;
  shape: number[];
  /** He-normal fan-in (in·k² or in) for weights, 0 for biases. */
  fanIn: number;
}

export function need(layer: ModelLayerT, key: 'in' | 'out' | 'kernel'): number {
  const v = layer[key];
  if (v === undefined) throw new Error(`model layer ${layer.name} (${layer.type}) needs "${key}"`);
  return v;
}

/** Every parameter of the model, in forward order (weight before bias). */
export function paramSpecs(model: Pick<ModelT, 'layers'>): ParamSpec[] {
  const specs: ParamSpec[] = [];
  for (const layer of model.layers) {
    if (layer.type === 'conv2d') {
      const [i, o, k] = [need(layer, 'in'), need(layer, 'out'), need(layer, 'kernel')];
      specs.push({ name: `${layer.name}.weight`, shape: [o, i, k, k], fanIn: i * k * k }, { name: `${layer.name}.bias`, shape: [o], fanIn: 0 });
    } else if (layer.type === 'linear') {
      const [i, o] = [need(layer, 'in'), need(layer, 'out')];
      specs.push({ name: `${layer.name}.weight`, shape: [o, i], fanIn: i }, { name: `${layer.name}.bias`, shape: [o], fanIn: 0 });
    }
  }
  return specs;
}

