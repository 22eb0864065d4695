// TensorFlow.js autodiff (tf.grad) for answer keys. The Node build of tfjs-core ships without its gradient
// functions; they live only in its ES module files, which Node cannot resolve unaided (graders/answer-key/
// tfjs-esm-resolve.ts). Their registry is global, so gradients registered from there serve the Node build too.
import { register } from 'node:module';

let enabled: Promise<void> | undefined;

/** Registers every TensorFlow.js gradient once; answer keys that call tf.grad await this at load time. */
export function enableAutodiff(): Promise<void> {
  enabled ??= (async () => {
    register(new URL('./tfjs-esm-resolve.js', import.meta.url));
    await import('@tensorflow/tfjs-core/dist/register_all_gradients.js');
  })();
  return enabled;
}
