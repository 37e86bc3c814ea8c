// An adjoint run (misfit, kernels) and two L-BFGS iterations of an inversion through window.seiswg.run
// give the native CLI's files: the same names, numbers equal to 1e-5 relative (max |browser - native|
// / max |native| per file; misfit.csv: its iteration and misfit columns; inversion_state.bin by name).
"use strict";
const { openPage, test } = require("./harness");
const { smallSHCase, runNative } = require("./cases");
const { runInPage } = require("./run_case");
const { compareFiles } = require("./compare");

const mode = process.argv[2] || "adjoint";
test(`web_${mode}_matches_cli`, async () => {
  const files = smallSHCase(mode, 2);
  const t0 = Date.now();
  const native = runNative(files);
  const nativeSeconds = (Date.now() - t0) / 1000;
  const browser = await openPage();
  try {
    const result = await runInPage(browser.page, files);
    if (!result.ok) throw new Error(`run failed (${result.kind}): ${result.message}\n${result.log}`);
    const { names, worst, worstFile } = compareFiles(result.files, native);
    console.log(`${names.length} files (${names.join(", ")}), worst relative difference ${worst.toExponential(2)} (${worstFile}); ` +
                `page ${result.seconds.toFixed(1)} s, native CLI ${nativeSeconds.toFixed(1)} s`);
  } finally {
    await browser.close();
  }
});
