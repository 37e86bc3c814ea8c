// What to tell a user whose browser runs no WebGPU; shared by the page and the solver's worker.
"use strict";
(function () {
  const HOW_TO_ENABLE =
    "WebGPU is on by default in Chrome and Edge 113+ (Windows, macOS, ChromeOS, Android) and in Safari 26; " +
    "on Linux start Chrome with --enable-unsafe-webgpu or turn on chrome://flags/#enable-unsafe-webgpu; in " +
    "Firefox set dom.webgpu.enabled in about:config.";
  self.seiswgWebGpuHelp = {
    noWebGpu: "This browser offers no WebGPU, which seiswg runs on. " + HOW_TO_ENABLE,
    noAdapter: "This browser has WebGPU but offers no GPU adapter for it (WebGPU turned off, or a blocked or " +
               "missing GPU driver). " + HOW_TO_ENABLE,
  };
})();
