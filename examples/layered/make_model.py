#!/usr/bin/env python3
"""Writes the bundled example's models (Seispie layout): model/ = three layers with a slow lens,
model_init/ = the same layers without the lens (the adjoint example's starting model).

Grid 201 x 101 nodes, 10 m spacing (x 0..2000 m, z 0..1000 m, z down); node k = i*nz + j.
Files: proc000000_<name>.bin = int32 npt, then npt float32 (little-endian). Standard library only.
"""
import math
import os
import struct

NX, NZ, H = 201, 101, 10.0


def vs_at(x, z, lens=True):
    if lens and math.hypot(x - 1000.0, z - 620.0) < 150.0:
        return 1000.0  # slow lens inside the second layer
    if z < 200.0:
        return 800.0
    if z < 500.0 + 60.0 * math.sin(2 * math.pi * x / 2000.0):
        return 1200.0
    return 1800.0


def write(folder, lens):
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), folder)
    os.makedirs(out, exist_ok=True)
    fields = {name: [] for name in ("x", "z", "vp", "vs", "rho")}
    for i in range(NX):
        for j in range(NZ):
            x, z = i * H, j * H
            vs = vs_at(x, z, lens)
            fields["x"].append(x)
            fields["z"].append(z)
            fields["vs"].append(vs)
            fields["vp"].append(1.8 * vs)
            fields["rho"].append(1700.0 + 0.4 * vs)
    for name, values in fields.items():
        with open(os.path.join(out, "proc000000_%s.bin" % name), "wb") as f:
            f.write(struct.pack("<i", len(values)))
            f.write(struct.pack("<%df" % len(values), *values))


def main():
    write("model", lens=True)  # the true model
    write("model_init", lens=False)  # the starting model of the adjoint example (no lens)


if __name__ == "__main__":
    main()
