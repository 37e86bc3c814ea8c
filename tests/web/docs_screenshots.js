// Screenshots of the page for docs/ (not a test): node tests/web/docs_screenshots.js PRESET OUT.png [niter]
// runs the preset in headless Chromium (optionally with fewer inversion iterations) and saves the page.
"use strict";
const { openPage } = require("./harness");
(async () => {
  const [preset, out, niter] = process.argv.slice(2);
  const b = await openPage({ viewport: { width: 1600, height: 1020 } });
  try {
    const page = b.page;
    await page.waitForFunction(() => window.seiswgPage && window.seiswgPage.ready);
    await page.selectOption("#preset", "preset:" + preset);
    if (niter) await page.fill("#editor", (await page.inputValue("#editor")).replace(/niter = \d+/, "niter = " + niter));
    await page.click("#run");
    await page.waitForFunction(() => !document.getElementById("run").disabled &&
      /done|failed|cancelled/.test(document.getElementById("progress-text").textContent), null, { timeout: 1800000 });
    console.log(await page.textContent("#progress-text"), await page.textContent("#message"));
    await page.screenshot({ path: out, fullPage: false });
  } finally {
    await b.close();
  }
})();
