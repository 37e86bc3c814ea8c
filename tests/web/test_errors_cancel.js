// Errors come back as rejected promises with the solver's words; Cancel stops a run and the next one works.
"use strict";
const { openPage, test } = require("./harness");
const { seispieHomog } = require("./cases");
const { runInPage } = require("./run_case");

const which = process.argv[2];
const tests = {
  // A malformed config: the case reader's message, naming the file, line and key.
  async web_bad_config_message(page) {
    const files = seispieHomog("[solver]\nnt = many\nsave_images = no");
    const r = await runInPage(page, files);
    if (r.ok) throw new Error("a config with nt = many ran");
    if (r.kind !== "input" || !/config\.ini:\d+/.test(r.message) || !r.message.includes("nt") || !r.message.includes("many"))
      throw new Error(`unexpected message (${r.kind}): ${r.message}`);
    console.log("message: " + r.message);
  },
  // A case beyond this GPU's limits: the receiver traces of enough stations over enough steps need one
  // buffer larger than the adapter's maxBufferSize (read here from the page's own adapter); the run is
  // refused with kind "gpu" before any step, and the message names that limit as the C++ formats it.
  async web_beyond_gpu_limits_message(page) {
    const limit = await page.evaluate(async () => (await navigator.gpu.requestAdapter()).limits.maxBufferSize);
    const nt = 200000, stations = Math.ceil(limit / (4 * nt)) + 100;  // SH: one trace component each
    const files = seispieHomog(`[solver]\nnt = ${nt}\nsave_snapshot = 0\nsave_images = no\nsh = yes\npsv = no`);
    const lines = [];
    for (let k = 0; k < stations; ++k) lines.push(`${100 + (k % 500)}.0 ${100 + 100 * Math.floor(k / 500) % 600}.0`);
    files["stations.dat"] = new TextEncoder().encode(lines.join("\n") + "\n");
    const r = await runInPage(page, files);
    if (r.ok) throw new Error(`${stations} stations x ${nt} steps ran on an adapter of maxBufferSize ${limit}`);
    const gib = 2 ** 30, named = limit >= gib ? `${Number((limit / gib).toPrecision(3))} GiB`
                                              : `${Number((limit / 2 ** 20).toPrecision(3))} MiB`;
    if (r.kind !== "gpu" || !r.message.includes("allows at most " + named) || !r.message.includes(`nt = ${nt}`))
      throw new Error(`unexpected message (${r.kind}), expected one naming "allows at most ${named}": ${r.message}`);
    console.log("message: " + r.message);
  },
  // WGSL and validation errors, as the browser's own WebGPU reports them: the worker's
  // createShaderModule is made to append a syntax error to every module, then createComputePipeline
  // to ask for an entry point that does not exist. Each run is refused with kind "gpu", naming the
  // kernel and carrying the browser's message; with both restored, a run completes.
  async web_wgsl_and_validation_errors_named(page) {
    const files = seispieHomog("[solver]\nsave_images = no");
    const first = await runInPage(page, files);  // starts the worker
    if (!first.ok) throw new Error("the plain run failed: " + first.message);
    const worker = page.workers()[0];
    if (!worker) throw new Error("no worker");
    await worker.evaluate(() => {
      self.originalModule = GPUDevice.prototype.createShaderModule;
      GPUDevice.prototype.createShaderModule = function (d) {
        return self.originalModule.call(this, Object.assign({}, d, { code: d.code + "\nfn broken( {}\n" }));
      };
    });
    const wgsl = await runInPage(page, files);
    await worker.evaluate(() => {
      GPUDevice.prototype.createShaderModule = self.originalModule;
      self.originalPipeline = GPUDevice.prototype.createComputePipeline;
      GPUDevice.prototype.createComputePipeline = function (d) {
        return self.originalPipeline.call(this, Object.assign({}, d, { compute: Object.assign({}, d.compute, { entryPoint: "no_such_entry" }) }));
      };
    });
    const validation = await runInPage(page, files);
    await worker.evaluate(() => { GPUDevice.prototype.createComputePipeline = self.originalPipeline; });
    const again = await runInPage(page, files);
    for (const [what, r, words] of [["WGSL", wgsl, /error/i], ["validation", validation, /no_such_entry/]]) {
      if (r.ok) throw new Error(`the run with a ${what} error succeeded`);
      if (r.kind !== "gpu" || !/compiling WGSL kernel '[^']+' failed/.test(r.message) || !words.test(r.message))
        throw new Error(`${what}: unexpected message (${r.kind}): ${r.message}`);
      console.log(`${what}: ${r.message.split("\n").slice(0, 3).join(" | ")}`);
    }
    if (!again.ok) throw new Error("the run after the errors failed: " + again.message);
  },
  // Cancel during a long run: rejected with "cancelled during ..."; a second run then completes.
  async web_cancel_then_run(page) {
    const long = seispieHomog("[solver]\nnt = 40000\nsave_snapshot = 0\nsave_images = no");
    const b64 = {};
    for (const [rel, bytes] of Object.entries(long)) b64[rel] = Buffer.from(bytes).toString("base64");
    const outcome = await page.evaluate(async (input) => {
      const files = {};
      for (const [rel, s] of Object.entries(input)) files[rel] = Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
      let progressed = 0;
      const t0 = performance.now();
      const run = window.seiswg.run(files, { onProgress: (p) => {
        if (++progressed === 1) window.seiswg.cancel();
      } });
      try {
        await run;
        return { cancelled: false };
      } catch (e) {
        return { cancelled: true, kind: e.kind, message: e.message, progressed, seconds: (performance.now() - t0) / 1000 };
      }
    }, b64);
    if (!outcome.cancelled || outcome.kind !== "cancelled" || !outcome.message.startsWith("cancelled during"))
      throw new Error("the run was not cancelled: " + JSON.stringify(outcome));
    console.log(`cancelled after ${outcome.seconds.toFixed(1)} s: ${outcome.message}`);
    const again = await runInPage(page, seispieHomog("[solver]\nsave_images = no"));
    if (!again.ok) throw new Error("the run after Cancel failed: " + again.message);
    if (!again.files["output/uy_000000.npy"]) throw new Error("the run after Cancel wrote no traces");
    console.log(`then a run of ${Object.keys(again.files).length} files in ${again.seconds.toFixed(1)} s`);
  },
};

// Without WebGPU: the run is refused with how to turn it on, and the page says so on load.
async function noWebGpu() {
  const browser = await openPage({ webgpu: false });
  try {
    const r = await runInPage(browser.page, seispieHomog("[solver]\nsave_images = no"));
    if (r.ok || r.kind !== "gpu" || !r.message.includes("--enable-unsafe-webgpu"))
      throw new Error(`unexpected outcome (${r.kind}): ${r.message}`);
    await browser.page.waitForFunction(() => window.seiswgPage && window.seiswgPage.ready);
    const adapter = await browser.page.textContent("#adapter");
    console.log(`message: ${r.message}\npage header: ${adapter}`);
  } finally {
    await browser.close();
  }
}

test(which, async () => {
  if (which === "web_no_webgpu_message") return noWebGpu();
  if (!tests[which]) throw new Error("no test " + which);
  const browser = await openPage();
  try {
    await tests[which](browser.page);
  } finally {
    await browser.close();
  }
});
