// The browser build draws the CLI's PNG figures (models, snapshots, gathers) through the worker's
// OffscreenCanvas: the Seispie reference case with save_images on gives exactly the native CLI's file
// names; every PNG decodes to the CLI's width and height, is not blank (at least 3 colours), and at
// least 97 % of its pixels are within 24 per channel of the CLI's (the layout and the data raster are
// the same C++; only the text's anti-aliasing and the font's rasterizer differ).
"use strict";
const zlib = require("zlib");
const { test } = require("./harness");
const { seispieHomog } = require("./cases");
const { runNativeAndInPage } = require("./run_case");

// An 8-bit RGB or RGBA, non-interlaced PNG (what io::write_png writes) as {width, height, rgb}.
function decodePng(rel, bytes) {
  const buf = Buffer.from(bytes);
  if (buf.subarray(0, 8).toString("latin1") !== "\x89PNG\r\n\x1a\n") throw new Error(rel + ": not a PNG file");
  let at = 8, width = 0, height = 0, channels = 0;
  const idat = [];
  while (at < buf.length) {
    const length = buf.readUInt32BE(at), type = buf.subarray(at + 4, at + 8).toString("latin1");
    const body = buf.subarray(at + 8, at + 8 + length);
    if (type === "IHDR") {
      width = body.readUInt32BE(0), height = body.readUInt32BE(4);
      const depth = body[8], color = body[9], interlace = body[12];
      if (depth !== 8 || (color !== 2 && color !== 6) || interlace !== 0)
        throw new Error(`${rel}: bit depth ${depth}, colour type ${color}, interlace ${interlace} not decoded here`);
      channels = color === 2 ? 3 : 4;
    } else if (type === "IDAT") idat.push(body);
    at += 12 + length;
  }
  const raw = zlib.inflateSync(Buffer.concat(idat)), stride = width * channels;
  if (raw.length !== height * (stride + 1)) throw new Error(`${rel}: ${raw.length} bytes for ${width} x ${height}`);
  const pixels = new Uint8Array(height * stride);
  for (let y = 0; y < height; ++y) {
    const filter = raw[y * (stride + 1)];
    for (let k = 0; k < stride; ++k) {
      const v = raw[y * (stride + 1) + 1 + k];
      const a = k >= channels ? pixels[y * stride + k - channels] : 0, b = y > 0 ? pixels[(y - 1) * stride + k] : 0;
      const c = k >= channels && y > 0 ? pixels[(y - 1) * stride + k - channels] : 0;
      const p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
      const predicted = [0, a, b, (a + b) >> 1, pa <= pb && pa <= pc ? a : pb <= pc ? b : c][filter];
      if (predicted === undefined) throw new Error(`${rel}: row ${y} has filter ${filter}`);
      pixels[y * stride + k] = (v + predicted) & 255;
    }
  }
  const rgb = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; ++i) for (let ch = 0; ch < 3; ++ch) rgb[3 * i + ch] = pixels[channels * i + ch];
  return { width, height, rgb };
}

test("web_figures_match_cli", () =>
  runNativeAndInPage(seispieHomog("[solver]\nsave_images = yes"), (native, result, names) => {
    const pngs = names.filter((rel) => rel.endsWith(".png"));
    if (pngs.length < 5) throw new Error(`the CLI wrote only ${pngs.length} PNG files: ${pngs.join(" ")}`);
    let worst = 1, worstFile = "";
    for (const rel of pngs) {
      const mine = decodePng(rel, result.files[rel]), theirs = decodePng(rel, native[rel]);
      if (mine.width !== theirs.width || mine.height !== theirs.height)
        throw new Error(`${rel}: ${mine.width} x ${mine.height} in the browser, ${theirs.width} x ${theirs.height} natively`);
      const colours = new Set();
      let close = 0;
      for (let i = 0; i < mine.width * mine.height; ++i) {
        colours.add((mine.rgb[3 * i] << 16) | (mine.rgb[3 * i + 1] << 8) | mine.rgb[3 * i + 2]);
        let d = 0;
        for (let ch = 0; ch < 3; ++ch) d = Math.max(d, Math.abs(mine.rgb[3 * i + ch] - theirs.rgb[3 * i + ch]));
        if (d <= 24) ++close;
      }
      if (colours.size < 3) throw new Error(`${rel}: only ${colours.size} colours: a blank figure`);
      const fraction = close / (mine.width * mine.height);
      if (!(fraction >= 0.97)) throw new Error(`${rel}: only ${(100 * fraction).toFixed(1)} % of the pixels match the CLI's`);
      if (fraction < worst) worst = fraction, worstFile = rel;
    }
    console.log(`${names.length} files, ${pngs.length} PNG figures of the CLI's sizes; fewest matching pixels ` +
                `${(100 * worst).toFixed(1)} % (${worstFile}); run ${result.seconds.toFixed(1)} s in the page`);
  }));
