// holefill info: the model and the execution providers.
import { DEFAULT_INFER_SIZE, DEFAULT_TEXTURE } from '../contract/engine';
import { MAX_INPUT_PIXELS } from '../engine';
import { ENGINE_OPTIONS, ENGINE_USAGE, EXIT, parse, withEngine, type Subcommand } from './common';

const usage = `Usage: holefill info [options]

Loads the model the way a job would and prints it, the execution providers this build can use on this
machine, and the one in use.
${ENGINE_USAGE}`;

export const infoSubcommand: Subcommand = {
  name: 'info',
  summary: 'show the model and the execution providers',
  usage,
  async run(args) {
    const { values } = parse(args, ENGINE_OPTIONS);
    if (values.help) return (console.log(usage), EXIT.ok);
    return withEngine(values, {}, async (engine) => {
      const info = await engine.info();
      console.log(`model:      ${info.model} (${(info.modelBytes / 1e6).toFixed(1)} MB)`);
      console.log(`            inputs ${info.inputs.join(', ')}; outputs ${info.outputs.join(', ')}`);
      console.log(`providers:  ${info.providers.join(', ')} (available on this machine)`);
      console.log(`in use:     ${info.provider} (requested: ${info.requested})${info.fallback ? `\n            ${info.fallback}` : ''}`);
      console.log(`precision:  ${info.precision} (requested: ${engine.precision})${info.precisionNote ? `\n            ${info.precisionNote}` : ''}`);
      console.log(`threads:    ${info.threads || 'onnxruntime default'}`);
      console.log(`infer size: ${typeof values['infer-size'] === 'string' ? values['infer-size'] : DEFAULT_INFER_SIZE}`);
      console.log(`texture:    ${typeof values.texture === 'string' ? values.texture : DEFAULT_TEXTURE}`);
      console.log(`max input:  ${MAX_INPUT_PIXELS / 1e6} megapixels`);
      return EXIT.ok;
    });
  },
};
