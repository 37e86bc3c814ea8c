// window.seiswg: the JavaScript API the page uses itself and the browser tests drive.
//
//   const result = await seiswg.run(files, {onProgress, onField, onMisfit});
//     files:  {"config.ini": text, "model/proc000000_vs.bin": Uint8Array, ...} (strings or Uint8Arrays)
//     result: {files: {path: Uint8Array}, log: string}: the files `seiswg run` writes for the case
//     onProgress({label, done, total}); onField({name, step, values: Float32Array, nx, nz, dx, dz});
//     onMisfit({iteration, misfit})
//   seiswg.cancel()   stops the run at its next batch; its promise rejects with "cancelled during ...".
//   await seiswg.check(files)  reads and checks the case as `seiswg check` does: {files: {}, log: the plan}.
// A failed run rejects with an Error whose message is the solver's (e.g. the case reader's, naming the
// file, line and key), with .kind ("input", "gpu", "cancelled", "error") and .log.
"use strict";
(function () {
  const here = document.currentScript ? new URL(".", document.currentScript.src).href : "./";
  let worker = null;
  let nextId = 1;
  const pending = new Map();

  function startWorker() {
    worker = new Worker(here + "seiswg_worker.js");
    worker.onmessage = (event) => {
      const msg = event.data, job = pending.get(msg.id);
      if (!job) return;
      if (msg.type === "progress") job.options.onProgress && job.options.onProgress(msg);
      else if (msg.type === "field") job.options.onField && job.options.onField(msg);
      else if (msg.type === "misfit") job.options.onMisfit && job.options.onMisfit(msg);
      else if (msg.type === "done") {
        pending.delete(msg.id);
        job.resolve({ files: msg.files, log: msg.log });
      } else if (msg.type === "failed") {
        pending.delete(msg.id);
        const error = new Error(msg.message);
        error.kind = msg.kind;
        error.log = msg.log;
        job.reject(error);
      }
    };
    worker.onerror = (event) => {
      // A worker that cannot start (e.g. seiswg.js missing) fails every run waiting on it.
      for (const [id, job] of pending) {
        pending.delete(id);
        job.reject(new Error("the solver's worker failed: " + (event.message || "could not load seiswg.js") +
                             (event.filename ? " (" + event.filename + ":" + event.lineno + ")" : "")));
      }
      worker = null;
    };
  }

  function asBytes(value, path) {
    if (value instanceof Uint8Array) return value;
    if (typeof value === "string") return new TextEncoder().encode(value);
    if (value instanceof ArrayBuffer) return new Uint8Array(value);
    if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
    throw new Error(path + ": a case file must be a string or a Uint8Array");
  }

  window.seiswg = {
    run(files, options = {}) {
      return start(files, options, false);
    },
    check(files) {
      return start(files, {}, true);
    },
  };
  function start(files, options, checkOnly) {
    return new Promise((resolve, reject) => {
      if (pending.size > 0) return reject(new Error("a run is already going on: cancel it first"));
      const bytes = {};
      try {
        for (const [path, value] of Object.entries(files || {})) bytes[path] = asBytes(value, path);
      } catch (e) {
        return reject(e);
      }
      if (!worker) startWorker();
      const id = nextId++;
      pending.set(id, { resolve, reject, options });
      worker.postMessage({ type: "run", id, files: bytes, checkOnly });
    });
  }
  Object.assign(window.seiswg, {
    cancel() {
      if (worker && pending.size > 0) worker.postMessage({ type: "cancel" });
    },
    running: () => pending.size > 0,
  });
})();
