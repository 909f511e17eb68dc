// Reference predictions from nsfwjs itself (tfjs pure-JS CPU backend) for the parity test.
// Usage: node native-models/tools/nsfwjs_predict.cjs IMG...
//   IMG ending in .rgb: raw 224x224x3 uint8 RGB (already resized by the caller);
//   anything else: decoded by sharp and stretched to 224x224 (bilinear).
// Prints one JSON line: [[p_Drawing, p_Hentai, p_Neutral, p_Porn, p_Sexy], ...] per image.
const fs = require('fs');
console.info = (...a) => console.error(...a); // nsfwjs/tfjs chatter must not pollute stdout
const tf = require('@tensorflow/tfjs');
const nsfwjs = require('nsfwjs');
const sharp = require('sharp');

const SIZE = 224;
const pixels = (file) =>
  file.endsWith('.rgb')
    ? Promise.resolve(fs.readFileSync(file))
    : sharp(file).removeAlpha().resize(SIZE, SIZE, { fit: 'fill', kernel: 'linear' }).raw().toBuffer();

(async () => {
  await tf.setBackend('cpu');
  const model = await nsfwjs.load('MobileNetV2');
  const out = [];
  for (const file of process.argv.slice(2)) {
    const buf = await pixels(file);
    if (buf.length !== SIZE * SIZE * 3) throw new Error(`${file}: expected ${SIZE * SIZE * 3} bytes`);
    const img = tf.tensor3d(new Uint8Array(buf), [SIZE, SIZE, 3], 'int32');
    const probs = model.infer(img); // x/255 -> model; infer() keeps class-index order
    out.push(Array.from(await probs.data()));
    tf.dispose([img, probs]);
  }
  process.stdout.write(JSON.stringify(out) + '\n');
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
