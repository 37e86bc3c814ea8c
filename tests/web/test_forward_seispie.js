// The Seispie reference case through window.seiswg.run gives the native CLI's files: the same names,
// and traces and snapshots equal to 1e-5 relative (max |browser - native| / max |native|).
"use strict";
const { test } = require("./harness");
const { seispieHomog, relativeDifference } = require("./cases");
const { runNativeAndInPage } = require("./run_case");

test("web_forward_seispie", () =>
  runNativeAndInPage(seispieHomog("[solver]\nsave_images = no"), (native, result, names) => {
    let worst = 0;
    for (const rel of names) {
      if (result.files[rel].length !== native[rel].length) throw new Error(`${rel}: ${result.files[rel].length} bytes, natively ${native[rel].length}`);
      const d = relativeDifference(rel, result.files[rel], native[rel]);
      if (!(d <= 1e-5)) throw new Error(`${rel}: relative difference ${d} > 1e-5`);
      worst = Math.max(worst, d);
    }
    console.log(`${names.length} files (${names.join(", ")}), worst relative difference ${worst.toExponential(2)}, run ${result.seconds.toFixed(1)} s in the page`);
  }));
