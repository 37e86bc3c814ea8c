#!/usr/bin/env python3
"""Writes the P-SV Marmousi inversion example (Seispie layout) from the Marmousi P velocity
(1601 x 401 nodes of 7.5 m, km/s, x-major; see ../../../shared/data/marmousi/README.md), downsampled
by 4 to 401 x 101 nodes of 30 m (12 km x 3 km):

  model_true/  vp (fault strips raised to 1500 m/s); vs = vp / sqrt(3) below the water (vs = 0 in the water: fluid); density from
               Gardner's rho = 310 vp^0.25 (vp in m/s), 1020 kg/m^3 in the water
  model_init/  the same water; below it vp and vs smoothed by a Gaussian of sigma 300 m (10 nodes),
               density as in model_true (it is not inverted)
  sources.dat  16 Ricker sources (2 Hz) along x at 390 m depth, below the absorbing layer
  stations.dat 185 stations every 60 m at 390 m depth

Usage: python3 make_case.py [PATH_TO_vp_marmousi_bi]. Needs NumPy (/usr/bin/python3 on Debian has it
from apt).
"""
import os
import struct
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.join(HERE, "..", "..", "..", "shared", "data", "marmousi", "vp_marmousi_bi")
FACTOR, H = 4, 30.0
DEPTH = 390.0  # sources and stations: 13 nodes, just below the 12-node absorbing layer


def gaussian_filter(a, sigma):
    """Separable Gaussian smoothing (truncated at 4 sigma, edges extended with the nearest value)."""
    r = int(4 * sigma)
    w = np.exp(-0.5 * (np.arange(-r, r + 1) / sigma) ** 2)
    w /= w.sum()
    for axis in (0, 1):
        padded = np.pad(a, [(r, r) if k == axis else (0, 0) for k in range(2)], mode="edge")
        a = sum(w[k] * np.take(padded, np.arange(k, k + a.shape[axis]), axis=axis) for k in range(2 * r + 1))
    return a


def write(folder, fields):
    out = os.path.join(HERE, folder)
    os.makedirs(out, exist_ok=True)
    for name, values in fields.items():
        values = np.ascontiguousarray(values, dtype="<f4").ravel()
        with open(os.path.join(out, "proc000000_%s.bin" % name), "wb") as f:
            f.write(struct.pack("<i", values.size))
            f.write(values.tobytes())


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else SOURCE
    vp = np.fromfile(path, dtype="<f4").reshape(1601, 401)[::FACTOR, ::FACTOR] * 1000.0  # m/s
    nx, nz = vp.shape
    # The water: the rows above the first rock node of each column. The thin fault strips of 1028 m/s
    # deeper down (a feature of this version of the model) are raised to 1500 m/s: shear waves of
    # vp / sqrt(3) there would need a finer grid.
    water = np.cumprod(vp <= 1500.5, axis=1).astype(bool)
    vp = np.where(water, vp, np.maximum(vp, 1500.0))
    vs = np.where(water, 0.0, vp / np.sqrt(3.0))
    rho = np.where(water, 1020.0, 310.0 * vp ** 0.25)
    x = np.repeat(np.arange(nx) * H, nz).reshape(nx, nz)
    z = np.tile(np.arange(nz) * H, nx).reshape(nx, nz)
    write("model_true", {"x": x, "z": z, "vp": vp, "vs": vs, "rho": rho})
    # The starting model: the rock smoothed (water kept), water nodes refilled after smoothing.
    rock = ~water
    smooth = lambda a: gaussian_filter(np.where(rock, a, 0.0), 10) / np.maximum(
        gaussian_filter(rock.astype(float), 10), 1e-6)
    vp0 = np.where(water, vp, smooth(vp))
    vs0 = np.where(water, 0.0, smooth(vs))
    write("model_init", {"x": x, "z": z, "vp": vp0, "vs": vs0, "rho": rho})
    with open(os.path.join(HERE, "sources.dat"), "w") as f:
        for k in range(16):
            f.write("%.1f %.1f 1 2.0 0.6 0.0 1.0e9\n" % (600.0 + k * 720.0, DEPTH))
    with open(os.path.join(HERE, "stations.dat"), "w") as f:
        for k in range(185):
            f.write("%.1f %.1f\n" % (480.0 + k * 60.0, DEPTH))
    print("water rows: %d to %d of %d; vp %.0f to %.0f m/s" % (water.sum(1).min(), water.sum(1).max(), nz,
                                                               vp.min(), vp.max()))


if __name__ == "__main__":
    main()
