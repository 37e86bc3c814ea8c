#!/usr/bin/env python3
"""Writes the SH checkerboard inversion example (Seispie layout): model_true/ = vs 1000 m/s with
+-8 % checks of 100 m inside the absorbing frame, model_init/ = homogeneous vs 1000 m/s; sources.dat
(8 sources, two on each side) and stations.dat (48 stations, 12 on each side) on a square around the
checks, so that waves cross the checks in every direction.

Grid 101 x 101 nodes, 10 m spacing (x, z 0..1000 m, z down); node k = i*nz + j.
Files: proc000000_<name>.bin = int32 npt, then npt float32 (little-endian). Standard library only.
"""
import os
import struct

N, H = 101, 10.0
LO, HI = 250.0, 750.0  # the square of sources and stations (m)
CHECK = 100.0  # size of one check (m)


def vs_at(x, z, checks):
    if not checks or not (LO < x < HI and LO < z < HI):
        return 1000.0
    sign = 1 if (int((x - LO) // CHECK) + int((z - LO) // CHECK)) % 2 == 0 else -1
    return 1000.0 * (1 + 0.08 * sign)


def write(folder, checks):
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), folder)
    os.makedirs(out, exist_ok=True)
    fields = {name: [] for name in ("x", "z", "vp", "vs", "rho")}
    for i in range(N):
        for j in range(N):
            x, z = i * H, j * H
            vs = vs_at(x, z, checks)
            fields["x"].append(x)
            fields["z"].append(z)
            fields["vs"].append(vs)
            fields["vp"].append(1.8 * vs)
            fields["rho"].append(2000.0)
    for name, values in fields.items():
        with open(os.path.join(out, "proc000000_%s.bin" % name), "wb") as f:
            f.write(struct.pack("<i", len(values)))
            f.write(struct.pack("<%df" % len(values), *values))


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    write("model_true", checks=True)
    write("model_init", checks=False)
    side = [LO + (HI - LO) * (k + 0.5) / 12 for k in range(12)]
    stations = [(s, LO - 30) for s in side] + [(s, HI + 30) for s in side] + \
               [(LO - 30, s) for s in side] + [(HI + 30, s) for s in side]
    with open(os.path.join(here, "stations.dat"), "w") as f:
        for x, z in stations:
            f.write("%.1f %.1f\n" % (x, z))
    # x z type f0 t0 angle amp (Seispie's sources.dat): Ricker 8 Hz.
    mid = [LO + (HI - LO) / 3, LO + 2 * (HI - LO) / 3]
    sources = [(m, LO - 50) for m in mid] + [(m, HI + 50) for m in mid] + \
              [(LO - 50, m) for m in mid] + [(HI + 50, m) for m in mid]
    with open(os.path.join(here, "sources.dat"), "w") as f:
        for x, z in sources:
            f.write("%.1f %.1f 1 8.0 0.15 0.0 1.0e6\n" % (x, z))


if __name__ == "__main__":
    main()
