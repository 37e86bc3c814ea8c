#!/usr/bin/env python3
"""Writes Seispie's examples/spin case (at 85c4d4c) into DIR: model/, sources.dat, stations.dat,
config.ini. 4001 x 4001 nodes of 1 m, the homogeneous micropolar medium of its generate_model.py
(rho 2700, lambda = mu = 8.1e9, nu 1.005e9, j 2700, lambda_c 7.75e8, mu_c 1.5e8, nu_c 3e8), its
config (psv = spin = yes, nt 5000, dt 0.0002, no absorbing sides, combined sources), its Ricker
source at the centre (f0 10 Hz, t0 0.12 s, angle 0, amp 1e10) and its 8 stations.

Its fields exceed one 128 MiB buffer binding (velocity planes 183 MiB, stress 366 MiB, material
549 MiB): on lavapipe seiswg splits them over several buffers.

  --nt N     steps (a short run: the full 5000 steps take hours on a CPU)
  --n N      nodes per side (the source stays at the centre, stations keep their offsets from it)
  --near     8 stations within 6 m of the source instead of Seispie's (hundreds of metres away, which a
             short run does not reach): traces of a short run are then the same for any n large
             enough that no wave reaches the sides, a check of the split fields against one buffer each.

usage: make_spin_case.py DIR [--nt 5000] [--n 4001] [--near]   (standard library only; 640 MB at 4001)
"""
import argparse
import array
import os
import struct
import sys

H = 1.0
MEDIUM = {"rho": 2700.0, "lambda": 8.1e9, "mu": 8.1e9, "nu": 10.05e8, "j": 2700.0,
          "lambda_c": 7.75e8, "mu_c": 1.5e8, "nu_c": 3.0e8}
SOURCE = (2000.0, 2000.0)
STATIONS = [(3000, 2100), (2300, 2200), (1700, 2200), (1100, 1900), (2000, 3100), (1200, 1300),
            (2000, 1100), (2600, 1400)]
NEAR = [(2003, 2000), (2000, 2004), (1995, 2002), (2001, 1996), (2004, 2004), (1998, 2006), (2006, 1999),
        (1996, 1995)]

CONFIG = """# Seispie's examples/spin (bench/make_spin_case.py)
[workflow]
mode = forward

[solver]
method = fd2d
source = ricker
sh = no
psv = yes
spin = yes
nt = %d
dt = 0.0002

abs_top = no
abs_bottom = no
abs_left = no
abs_right = no
abs_width = 20
abs_alpha = 0.015

save_snapshot = 0
save_images = no
combine_sources = yes

[path]
output = output
output_traces = output
model_true = model
sources = sources.dat
stations = stations.dat
"""


def write(path, values):
    """Seispie's model file: int32 npt, then npt float32 values, little-endian."""
    if sys.byteorder != "little":
        values.byteswap()
    with open(path, "wb") as f:
        f.write(struct.pack("<i", len(values)))
        values.tofile(f)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("dir")
    p.add_argument("--nt", type=int, default=5000)
    p.add_argument("--n", type=int, default=4001)
    p.add_argument("--near", action="store_true")
    a = p.parse_args()
    n = a.n
    shift = (n - 1) * H / 2 - SOURCE[0]  # keeps the source at the centre
    model = os.path.join(a.dir, "model")
    os.makedirs(model, exist_ok=True)
    x = array.array("f")
    for i in range(n):
        x.extend(array.array("f", [i * H]) * n)
    write(os.path.join(model, "proc000000_x.bin"), x)
    del x
    write(os.path.join(model, "proc000000_z.bin"), array.array("f", [j * H for j in range(n)]) * n)
    for name, value in MEDIUM.items():
        write(os.path.join(model, "proc000000_%s.bin" % name), array.array("f", [value]) * (n * n))
    with open(os.path.join(a.dir, "sources.dat"), "w") as f:
        f.write("%.1f %.1f 0 10.0 0.12 0.0 1.0e10\n" % (SOURCE[0] + shift, SOURCE[1] + shift))
    with open(os.path.join(a.dir, "stations.dat"), "w") as f:
        for sx, sz in NEAR if a.near else STATIONS:
            f.write("%.1f %.1f\n" % (sx + shift, sz + shift))
    with open(os.path.join(a.dir, "config.ini"), "w") as f:
        f.write(CONFIG % a.nt)


if __name__ == "__main__":
    main()
