// Runs a case through window.seiswg.run in the page; the files come back as {path: Uint8Array}.
"use strict";
async function runInPage(page, files) {
  const encoded = {};
  for (const [rel, bytes] of Object.entries(files)) encoded[rel] = Buffer.from(bytes).toString("base64");
  const result = await page.evaluate(async (input) => {
    const files = {};
    for (const [rel, b64] of Object.entries(input)) files[rel] = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const t0 = performance.now();
    try {
      const r = await window.seiswg.run(files);
      const out = {};
      for (const [rel, bytes] of Object.entries(r.files)) {
        let s = "";
        for (let k = 0; k < bytes.length; k += 8192) s += String.fromCharCode.apply(null, bytes.subarray(k, k + 8192));
        out[rel] = btoa(s);
      }
      return { ok: true, files: out, log: r.log, seconds: (performance.now() - t0) / 1000 };
    } catch (e) {
      return { ok: false, message: e.message, kind: e.kind, log: e.log };
    }
  }, encoded);
  if (result.ok) for (const rel of Object.keys(result.files)) result.files[rel] = new Uint8Array(Buffer.from(result.files[rel], "base64"));
  return result;
}
// Runs `files` with the native CLI and in a fresh page; checks that both wrote the same file names,
// then hands both sets of files to `compare(native, result)` (result: runInPage's).
async function runNativeAndInPage(files, compare) {
  const { openPage } = require("./harness");
  const { runNative } = require("./cases");
  const native = runNative(files);
  const browser = await openPage();
  try {
    const result = await runInPage(browser.page, files);
    if (!result.ok) throw new Error(`run failed (${result.kind}): ${result.message}\n${result.log}\n${browser.messages.join("\n")}`);
    const names = Object.keys(native).sort(), got = Object.keys(result.files).sort();
    if (JSON.stringify(names) !== JSON.stringify(got))
      throw new Error(`files differ:\n native  ${names.join(" ")}\n browser ${got.join(" ")}`);
    await compare(native, result, names);
  } finally {
    await browser.close();
  }
}
module.exports = { runInPage, runNativeAndInPage };
