// The solver's Web Worker: seiswg.wasm (the C++ solver, case reader, I/O and inversion) runs here, not
// on the page's thread, so that the page stays responsive through a run: the C++ waits for the GPU by
// yielding to this worker's event loop (ASYNCIFY), and its host-side work (reading the case, misfits,
// the optimizer, writing files) blocks only this worker. WebGPU is available in dedicated workers.
//
// Messages in:  {type: "run", id, files: {path: Uint8Array}, checkOnly}   {type: "cancel"}
// Messages out: {type: "progress", id, label, done, total}     {type: "field", id, name, step, values, nx, nz, dx, dz}
//               {type: "misfit", id, iteration, misfit}        {type: "done", id, files, log} | {type: "failed", id, kind, message, log}
"use strict";
// seiswg.js defines globals of its own (run, FS, ...) in this same scope: no function here may share
// one of their names.

importScripts("webgpu_help.js");
const { noWebGpu: NO_WEBGPU, noAdapter: NO_ADAPTER } = self.seiswgWebGpuHelp;

let printed = [];
var Module = {
  print: (line) => printed.push(line),
  printErr: (line) => printed.push(line),
};
const runtimeReady = new Promise((resolve, reject) => {
  Module.onRuntimeInitialized = resolve;
  Module.onAbort = (what) => reject(new Error("the solver aborted: " + what));
});
importScripts("seiswg.js");

// The GPU device, requested once with the adapter's limits (the defaults, 128 MiB per binding and 8
// storage buffers per stage, are too small for the solver's kernels) and shared by later runs.
let devicePromise = null;
async function gpuDevice() {
  if (!devicePromise)
    devicePromise = (async () => {
      if (!self.navigator || !navigator.gpu) throw { kind: "gpu", message: NO_WEBGPU };
      const adapter = await navigator.gpu.requestAdapter({ powerPreference: "high-performance" });
      if (!adapter)
        throw { kind: "gpu", message: NO_ADAPTER };
      const L = adapter.limits;
      const device = await adapter.requestDevice({ requiredLimits: {
        maxBufferSize: L.maxBufferSize,
        maxStorageBufferBindingSize: L.maxStorageBufferBindingSize,
        maxStorageBuffersPerShaderStage: L.maxStorageBuffersPerShaderStage,
        maxComputeWorkgroupStorageSize: L.maxComputeWorkgroupStorageSize,
        maxComputeInvocationsPerWorkgroup: L.maxComputeInvocationsPerWorkgroup,
        maxComputeWorkgroupSizeX: L.maxComputeWorkgroupSizeX,
        maxComputeWorkgroupSizeY: L.maxComputeWorkgroupSizeY,
        maxComputeWorkgroupsPerDimension: L.maxComputeWorkgroupsPerDimension,
      } });
      device.lost.then(() => { devicePromise = null; });
      const info = adapter.info || {};
      return { device, info: { vendor: info.vendor, architecture: info.architecture,
        description: info.description || [info.vendor, info.architecture].filter(Boolean).join(" "),
        isFallbackAdapter: String(!!(info.isFallbackAdapter || adapter.isFallbackAdapter)) } };
    })();
  try {
    return await devicePromise;
  } catch (e) {
    devicePromise = null;
    throw e;
  }
}

function makeDirs(FS, path) {
  let at = "";
  for (const part of path.split("/").filter(Boolean)) {
    at += "/" + part;
    if (!FS.analyzePath(at).exists) FS.mkdir(at);
  }
}

function listFiles(FS, dir, prefix, out) {
  for (const name of FS.readdir(dir)) {
    if (name === "." || name === "..") continue;
    const full = dir + "/" + name, rel = prefix ? prefix + "/" + name : name;
    if (FS.isDir(FS.stat(full).mode)) listFiles(FS, full, rel, out);
    else out.push(rel);
  }
  return out;
}

function removeTree(FS, dir) {
  for (const name of FS.readdir(dir)) {
    if (name === "." || name === "..") continue;
    const full = dir + "/" + name;
    if (FS.isDir(FS.stat(full).mode)) removeTree(FS, full);
    else FS.unlink(full);
  }
  FS.rmdir(dir);
}

// The config file of a case: config.ini at its top, else the only .ini file at the top.
function configOf(paths) {
  if (paths.includes("config.ini")) return "config.ini";
  const top = paths.filter((p) => !p.includes("/") && p.endsWith(".ini"));
  if (top.length === 1) return top[0];
  throw { kind: "input", message: "the case has no config.ini (files: " + paths.join(", ") + ")" };
}

let running = false;
async function runCase(id, files, checkOnly) {
  if (running) throw { kind: "busy", message: "a run is already going on" };
  running = true;
  const dir = "/cases/run" + id;
  try {
    const [{ device, info }] = await Promise.all([gpuDevice(), runtimeReady]);
    Module.preinitializedWebGPUDevice = device;
    Module.seiswgAdapterInfo = info;
    const FS = Module.FS;
    const inputs = Object.keys(files);
    const config = configOf(inputs);
    for (const path of inputs) {
      if (path.startsWith("/") || path.split("/").includes(".."))
        throw { kind: "input", message: path + ": case files must have paths inside the case" };
      const full = dir + "/" + path;
      makeDirs(FS, full.slice(0, full.lastIndexOf("/")));
      FS.writeFile(full, files[path]);
    }
    // Messages name the case's files as the user gave them: config.ini:11, not /cases/run1/config.ini:11.
    const local = (text) => (text || "").split(dir + "/").join("").split(dir.slice(1) + "/").join("");
    let outcome = null;
    Module.seiswgCancelRequested = false;
    Module.seiswgOnProgress = (label, done, total) => postMessage({ type: "progress", id, label, done, total });
    Module.seiswgOnField = (name, step, values, nx, nz, dx, dz) =>
      postMessage({ type: "field", id, name, step, values, nx, nz, dx, dz }, [values.buffer]);
    Module.seiswgOnMisfit = (iteration, misfit) => postMessage({ type: "misfit", id, iteration, misfit });
    Module.seiswgOnFinish = (status, kind, message, log) => {
      outcome = { status, kind, message: local(message), log: local(log) };
    };
    printed = [];
    await Module.ccall("seiswg_web_run", null, ["string", "number"], [dir + "/" + config, checkOnly ? 1 : 0],
                       { async: true });
    if (!outcome) throw { kind: "error", message: "the solver ended without a result" };
    const log = local(printed.concat(outcome.log ? [outcome.log.replace(/\n$/, "")] : []).join("\n"));
    if (outcome.status !== 0) throw { kind: outcome.kind, message: outcome.message, log };
    // The run's files: everything in the case folder now that was not given to it.
    const given = new Set(inputs);
    const out = {};
    for (const path of listFiles(FS, dir, "", [])) if (!given.has(path)) out[path] = FS.readFile(dir + "/" + path);
    return { files: out, log };
  } finally {
    running = false;
    try {
      if (Module.FS && Module.FS.analyzePath(dir).exists) removeTree(Module.FS, dir);
    } catch (e) { /* nothing to clean */ }
  }
}

onmessage = (event) => {
  const msg = event.data;
  if (msg.type === "cancel") {
    Module.seiswgCancelRequested = true;
  } else if (msg.type === "run") {
    runCase(msg.id, msg.files, !!msg.checkOnly).then(
      (result) => postMessage({ type: "done", id: msg.id, files: result.files, log: result.log },
                              Object.values(result.files).map((a) => a.buffer)),
      (e) => postMessage({ type: "failed", id: msg.id, kind: e.kind || "error",
                           message: e.message || String(e), log: e.log || printed.join("\n") }));
  }
};
