#!/usr/bin/env python3
"""Writes the acoustic example's model (Seispie layout): 200 m of water over sediments with a
dipping reflector and a fast lens. Acoustic media read vp and rho only.

Grid 301 x 151 nodes, 5 m spacing (x 0..1500 m, z 0..750 m, z down); node k = i*nz + j.
Files: proc000000_<name>.bin = int32 npt, then npt float32 (little-endian). Standard library only.
"""
import math
import os
import struct

NX, NZ, H = 301, 151, 5.0


def medium_at(x, z):
    if z < 200.0:
        return 1500.0, 1000.0  # water
    if math.hypot(x - 900.0, z - 520.0) < 80.0:
        return 3000.0, 2300.0  # a fast lens
    if z < 420.0 + 0.15 * x:
        return 1900.0, 1800.0  # soft sediments above a dipping reflector
    return 2500.0, 2100.0


def main():
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "model")
    os.makedirs(out, exist_ok=True)
    fields = {name: [] for name in ("x", "z", "vp", "rho")}
    for i in range(NX):
        for j in range(NZ):
            x, z = i * H, j * H
            vp, rho = medium_at(x, z)
            fields["x"].append(x)
            fields["z"].append(z)
            fields["vp"].append(vp)
            fields["rho"].append(rho)
    for name, values in fields.items():
        with open(os.path.join(out, "proc000000_%s.bin" % name), "wb") as f:
            f.write(struct.pack("<i", len(values)))
            f.write(struct.pack("<%df" % len(values), *values))


if __name__ == "__main__":
    main()
