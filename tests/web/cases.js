// Small cases for the browser tests, written as {path: Uint8Array} maps, and the native CLI that
// gives the independent answer: the same case run by build/native/seiswg.
"use strict";
const fs = require("fs"), os = require("os"), path = require("path"), { execFileSync } = require("child_process");
const { root } = require("./harness");

// A Seispie model file: int32 npt, then npt float32 (node k = i*nz + j).
function fieldBin(values) {
  const bytes = new Uint8Array(4 + 4 * values.length), view = new DataView(bytes.buffer);
  view.setInt32(0, values.length, true);
  values.forEach((v, k) => view.setFloat32(4 + 4 * k, v, true));
  return bytes;
}

// The model folder of an nx x nz grid with spacing d and fields {name: (x, z) => value}.
function modelFiles(folder, nx, nz, d, fields) {
  const files = {}, x = [], z = [], values = {};
  for (const name of Object.keys(fields)) values[name] = [];
  for (let i = 0; i < nx; ++i)
    for (let j = 0; j < nz; ++j) {
      x.push(i * d), z.push(j * d);
      for (const [name, f] of Object.entries(fields)) values[name].push(f(i * d, j * d));
    }
  files[folder + "/proc000000_x.bin"] = fieldBin(x);
  files[folder + "/proc000000_z.bin"] = fieldBin(z);
  for (const name of Object.keys(fields)) files[folder + "/proc000000_" + name + ".bin"] = fieldBin(values[name]);
  return files;
}

function readFolder(dir, prefix = "", out = {}) {
  for (const name of fs.readdirSync(dir)) {
    const full = path.join(dir, name), rel = prefix ? prefix + "/" + name : name;
    if (fs.statSync(full).isDirectory()) readFolder(full, rel, out);
    else out[rel] = new Uint8Array(fs.readFileSync(full));
  }
  return out;
}

// Seispie's reference case (tests/data/seispie-homog) with its homogeneous model, as the tests of the
// native build write it: 31 x 31 nodes of 25 m, vp 1732, vs 1000, rho 2000.
function seispieHomog(overrides = "") {
  const dir = path.join(root, "tests/data/seispie-homog");
  const files = {};
  for (const name of ["config.ini", "sources.dat", "stations.dat"])
    files[name] = new Uint8Array(fs.readFileSync(path.join(dir, name)));
  if (overrides) files["config.ini"] = new TextEncoder().encode(withSettings(new TextDecoder().decode(files["config.ini"]), overrides));
  Object.assign(files, modelFiles("model", 31, 31, 25, { vp: () => 1732, vs: () => 1000, rho: () => 2000 }));
  return files;
}

// `text` with the settings of `extra` ("[section]\nkey = value" lines) replacing or adding keys.
function withSettings(text, extra) {
  let section = null;
  const wanted = {};
  for (const line of extra.split("\n")) {
    const s = line.trim();
    if (/^\[.*\]$/.test(s)) section = s;
    else if (s.includes("=")) (wanted[section] = wanted[section] || []).push(s);
  }
  const out = [];
  section = null;
  const done = new Set();
  const flush = () => {
    for (const kv of wanted[section] || []) if (!done.has(section + kv)) out.push(kv), done.add(section + kv);
  };
  for (const line of text.split("\n")) {
    const s = line.trim();
    if (/^\[.*\]$/.test(s)) { flush(); section = s; out.push(line); continue; }
    const key = s.split("=")[0].trim();
    const replacement = (wanted[section] || []).find((kv) => kv.split("=")[0].trim() === key);
    if (s.includes("=") && replacement) { out.push(replacement); done.add(section + replacement); }
    else out.push(line);
  }
  flush();
  for (const [sec, kvs] of Object.entries(wanted))
    if (!text.includes(sec)) { out.push(sec); for (const kv of kvs) out.push(kv); }
  return out.join("\n");
}

// Runs the native CLI on `files` in a fresh folder; returns the files it wrote (inputs left out).
function runNative(files) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "seiswg-native-"));
  try {
    for (const [rel, bytes] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      fs.writeFileSync(path.join(dir, rel), bytes);
    }
    const cli = process.env.SEISWG_CLI || path.join(root, "build/native/seiswg");
    execFileSync(cli, ["run", path.join(dir, "config.ini"), "--quiet"], { stdio: ["ignore", "ignore", "pipe"] });
    const all = readFolder(dir), out = {};
    for (const [rel, bytes] of Object.entries(all)) if (!(rel in files)) out[rel] = bytes;
    return out;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// The float32 / float64 values of an .npy file, or of a Seispie .bin file.
function floats(rel, bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (rel.endsWith(".bin")) {
    const n = view.getInt32(0, true);
    return Float32Array.from({ length: n }, (_, k) => view.getFloat32(4 + 4 * k, true));
  }
  if (rel.endsWith(".npy")) {
    const headerLength = view.getUint16(8, true), header = new TextDecoder().decode(bytes.subarray(10, 10 + headerLength));
    const start = 10 + headerLength, f8 = header.includes("<f8"), size = f8 ? 8 : 4;
    const n = (bytes.byteLength - start) / size;
    return Float64Array.from({ length: n }, (_, k) => f8 ? view.getFloat64(start + 8 * k, true) : view.getFloat32(start + 4 * k, true));
  }
  throw new Error(rel + ": not an .npy or .bin file");
}

// max |a - b| / max |b| over the values of two files.
function relativeDifference(rel, a, b) {
  const x = floats(rel, a), y = floats(rel, b);
  if (x.length !== y.length) throw new Error(`${rel}: ${x.length} values in the browser, ${y.length} natively`);
  let diff = 0, scale = 0;
  for (let k = 0; k < x.length; ++k) diff = Math.max(diff, Math.abs(x[k] - y[k])), scale = Math.max(scale, Math.abs(y[k]));
  return scale > 0 ? diff / scale : diff;
}

module.exports = { fieldBin, modelFiles, seispieHomog, withSettings, runNative, readFolder, floats, relativeDifference };

// A small SH case with observed data from a true model (a slow Gaussian anomaly in vs) and a
// homogeneous starting model: `mode` adjoint (misfit and kernels) or inversion (`iterations` of L-BFGS).
function smallSHCase(mode, iterations = 2) {
  const nx = 41, nz = 41, d = 20;
  const lines = [
    "[workflow]", `mode = ${mode}`, "",
    "[solver]", "sh = yes", "psv = no", "nt = 250", "dt = 0.003", "abs_top = yes", "abs_bottom = yes",
    "abs_left = yes", "abs_right = yes", "abs_width = 8", "abs_alpha = 0.015", "combine_sources = no",
    "save_images = no", "",
  ];
  if (mode === "inversion")
    lines.push("[optimize]", "method = lbfgs", `niter = ${iterations}`, "ls_step_init = 0.02", "ls_step_max = 0.2", "",
               "[inversion]", "parameters = vs", "vs_min = 700", "vs_max = 1300", "");
  lines.push("[path]", "output = output", "model_true = model_true", "model_init = model_init",
             "sources = sources.dat", "stations = stations.dat", "");
  const files = { "config.ini": new TextEncoder().encode(lines.join("\n")) };
  files["sources.dat"] = new TextEncoder().encode("200.0 200.0 0 8.0 0.15 0.0 1.0e10\n600.0 600.0 0 8.0 0.15 0.0 1.0e10\n");
  const stations = [];
  for (let k = 0; k < 8; ++k) stations.push(`${100 + 85 * k}.0 700.0`, `700.0 ${100 + 85 * k}.0`);
  files["stations.dat"] = new TextEncoder().encode(stations.join("\n") + "\n");
  const anomaly = (x, z) => 1000 - 120 * Math.exp(-((x - 400) ** 2 + (z - 400) ** 2) / (2 * 80 ** 2));
  Object.assign(files, modelFiles("model_true", nx, nz, d, { vp: () => 1800, vs: anomaly, rho: () => 2000 }));
  Object.assign(files, modelFiles("model_init", nx, nz, d, { vp: () => 1800, vs: () => 1000, rho: () => 2000 }));
  return files;
}
module.exports.smallSHCase = smallSHCase;
