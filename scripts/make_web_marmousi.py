#!/usr/bin/env python3
"""Writes web/marmousi_small.js, the page's Marmousi preset models: examples/marmousi's model_true and
model_init (401 x 101 nodes of 30 m) at every 3rd node, 134 x 34 nodes of 90 m (the same 12 km x 3 km
section), rounded to whole m/s and kg/m^3. Run from the repository root after make_case.py."""
import json
import struct

NX, NZ, STEP = 401, 101, 3


def read(path):
    data = open(path, "rb").read()
    n = struct.unpack("<i", data[:4])[0]
    assert n == NX * NZ, f"{path}: {n} values, expected {NX * NZ}"
    return struct.unpack(f"<{n}f", data[4:])


models = {}
for folder in ("model_true", "model_init"):
    models[folder] = {}
    for name in ("vp", "vs", "rho"):
        v = read(f"examples/marmousi/{folder}/proc000000_{name}.bin")
        models[folder][name] = [round(v[i * NZ + j]) for i in range(0, NX, STEP) for j in range(0, NZ, STEP)]
out = {"nx": len(range(0, NX, STEP)), "nz": len(range(0, NZ, STEP)), "d": 30.0 * STEP, **models}
with open("web/marmousi_small.js", "w") as f:
    f.write("// Written by scripts/make_web_marmousi.py from examples/marmousi: its models at every 3rd node.\n")
    f.write("window.seiswgMarmousi = " + json.dumps(out, separators=(",", ":")) + ";\n")
