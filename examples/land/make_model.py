#!/usr/bin/env python3
"""Writes the land example's model (Seispie layout): a weathered layer over bedrock with a
dipping interface, under the free surface z = 0. P-SV reads vp, vs and rho.

Grid 241 x 121 nodes, 5 m spacing (x 0..1200 m, z 0..600 m, z down); node k = i*nz + j.
Files: proc000000_<name>.bin = int32 npt, then npt float32 (little-endian). Standard library only.
"""
import os
import struct

NX, NZ, H = 241, 121, 5.0


def medium_at(x, z):
    if z < 60.0 + 0.05 * x:
        return 1800.0, 900.0, 1900.0  # weathered layer
    return 3000.0, 1700.0, 2300.0  # bedrock


def main():
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "model")
    os.makedirs(out, exist_ok=True)
    fields = {name: [] for name in ("x", "z", "vp", "vs", "rho")}
    for i in range(NX):
        for j in range(NZ):
            x, z = i * H, j * H
            vp, vs, rho = medium_at(x, z)
            fields["x"].append(x)
            fields["z"].append(z)
            fields["vp"].append(vp)
            fields["vs"].append(vs)
            fields["rho"].append(rho)
    for name, values in fields.items():
        with open(os.path.join(out, "proc000000_%s.bin" % name), "wb") as f:
            f.write(struct.pack("<i", len(values)))
            f.write(struct.pack("<%df" % len(values), *values))


if __name__ == "__main__":
    main()
