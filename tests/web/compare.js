// The browser's files against the native CLI's: the same names; numbers equal to `tolerance` relative.
"use strict";
const { relativeDifference } = require("./cases");

// Files whose bytes carry wall-clock times or run state, compared by name (and numbers) only.
const numbersOnly = (rel) => rel.endsWith(".txt") || rel.endsWith(".csv");
const nameOnly = (rel) => rel.endsWith("inversion_state.bin");

// The numbers of a text output, as columns: misfit.csv by the named columns, misfit.txt as one.
function columnsIn(rel, bytes, columns) {
  const text = new TextDecoder().decode(bytes);
  if (rel.endsWith(".csv")) {
    const rows = text.trim().split("\n").map((l) => l.split(","));
    const header = rows[0];
    return columns.map((c) => rows.slice(1).map((r) => Number(r[header.indexOf(c)])));
  }
  return [text.trim().split(/\s+/).map(Number)];
}

// max over columns of max |a - b| / max |b| (1 where b is all zeros).
function columnDifference(rel, a, b) {
  let d = 0;
  a.forEach((col, c) => {
    if (col.length !== b[c].length) throw new Error(`${rel}: ${col.length} rows in the browser, ${b[c].length} natively`);
    const scale = Math.max(...b[c].map(Math.abs), 0) || 1;
    d = Math.max(d, ...col.map((v, k) => Math.abs(v - b[c][k]) / scale));
  });
  return d;
}

function compareFiles(browser, native, tolerance = 1e-5, csvColumns = ["iteration", "misfit"]) {
  const names = Object.keys(native).sort(), got = Object.keys(browser).sort();
  if (JSON.stringify(names) !== JSON.stringify(got))
    throw new Error(`files differ:\n native  ${names.join(" ")}\n browser ${got.join(" ")}`);
  let worst = 0, worstFile = "";
  for (const rel of names) {
    if (nameOnly(rel)) continue;
    let d;
    if (numbersOnly(rel)) {
      d = columnDifference(rel, columnsIn(rel, browser[rel], csvColumns), columnsIn(rel, native[rel], csvColumns));
    } else {
      if (browser[rel].length !== native[rel].length)
        throw new Error(`${rel}: ${browser[rel].length} bytes in the browser, ${native[rel].length} natively`);
      d = relativeDifference(rel, browser[rel], native[rel]);
    }
    if (!(d <= tolerance)) throw new Error(`${rel}: relative difference ${d} > ${tolerance}`);
    if (d >= worst) worst = d, worstFile = rel;
  }
  return { names, worst, worstFile };
}
module.exports = { compareFiles };
