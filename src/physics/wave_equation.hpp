#pragma once
// What a wave equation provides to the solver. Each medium lives in its own folder (sh/, psv/,
// cosserat/) with the same parts: its WGSL kernels, the model files it reads and how they become
// material planes, its stability limit, and what it records.
#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "io/seispie_files.hpp"

namespace seiswg::physics {

// A recorded/snapshotted quantity: a velocity plane (recorded as displacement) or, with
// `from_stress`, a stress plane recorded as it is (the acoustic pressure), and where its samples
// sit in the cell.
struct Component {
  std::string trace_name;            // Seispie's trace prefix: "uy", "ux", "uz", "ry"; "p" (pressure)
  std::string snapshot_name;         // Seispie's snapshot suffix: "vy", "vx", "vz", "ry"; "p"
  std::uint32_t velocity_plane = 0;  // the plane of its group (the stress group with from_stress)
  double x_shift = 0, z_shift = 0;   // position of sample (i, j) is ((i + x_shift) dx, (j + z_shift) dz)
  bool from_stress = false;
};

// A point force drives one velocity plane with weight `weight` times the source time function.
// With `into_stress` it drives a stress plane instead (the acoustic volume injection, a pressure
// rate); the material plane then holds dt.
//
// With `moment` it is a moment-tensor component (into_stress, no material weight): the stress plane
// carries the stress glut s = sigma - M delta(x - xs), so that rho dv/dt = div s and the source adds
// `weight` times the moment's increment over the stress update; `x_shift`, `z_shift` give where the
// plane's samples sit in the cell (as Component's), for spreading the point onto them.
struct Forcing {
  static constexpr std::uint32_t kUnweighted = 0xffffffffu;  // buoyancy_plane of a moment: no material
  std::uint32_t velocity_plane = 0;
  std::uint32_t buoyancy_plane = 0;  // material plane holding dt / density at that velocity
  double weight = 1;
  bool into_stress = false;
  bool moment = false;
  double x_shift = 0, z_shift = 0;
};

// How a field extends above a free surface at z = 0 (row j = 0): as its mirror image about z = 0
// times `parity` (-1 for a field that vanishes there); a `staggered` plane's samples sit half a cell
// below their row (z = (j + 1/2) dz), so that row j mirrors to row -1 - j, else to row -j.
struct SurfaceImage {
  std::uint32_t group = 0;  // 0: velocity planes, 1: stress planes
  std::uint32_t plane = 0;
  double parity = 1;
  bool staggered = false;
  // Samples a whole cell below their row (z = (j + 1) dz: Cosserat's couple stress mz): row -1 lies on
  // the surface itself (zero for an odd field), row -2 - j mirrors row j.
  bool cell_below = false;
};

class WaveEquation {
 public:
  virtual ~WaveEquation() = default;
  virtual std::string name() const = 0;
  // Model files (proc000000_<name>.bin) this medium reads besides x and z.
  virtual std::vector<std::string> model_names() const = 0;
  // Physical admissibility of every node; throws InputError naming file, node, value and rule.
  virtual void validate(const io::Model& model) const = 0;
  // Largest stable time step of the scheme for this model.
  virtual double max_stable_dt(const io::Model& model) const = 0;
  // Material planes (plane-major, npt floats each) with dt folded in, as the kernels read them.
  virtual std::vector<float> material_planes(const io::Model& model, double dt) const = 0;
  virtual std::uint32_t velocity_planes() const = 0;
  virtual std::uint32_t stress_planes() const = 0;
  virtual std::uint32_t material_plane_count() const = 0;
  // The medium's WGSL, composed after physics/common/stencil.wgsl.
  virtual std::string wgsl() const = 0;
  virtual bool seispie_edges() const { return false; }
  virtual std::vector<Component> components() const = 0;
  // Seispie's sources.dat angle (degrees) -> the forces it applies.
  virtual std::vector<Forcing> forcing(double angle_deg) const = 0;
  // The sources.dat `type` column -> the forces a source of that type applies. Seispie ignores the
  // type (every source is a force): so do the elastic media, so that Seispie cases keep their
  // results. Media that read it throw std::invalid_argument for a type they do not know
  // (source_types says which they know, for the case reader's message).
  virtual std::vector<Forcing> source_forcing(int type, double angle_deg) const {
    (void)type;
    return forcing(angle_deg);
  }
  virtual std::string source_types() const { return {}; }
  // The stress-plane forcings of a moment tensor M = stf(t) m (m symmetric, in the x-z plane); empty
  // for media that take no moment-tensor sources.
  virtual std::vector<Forcing> moment_forcing(double mxx, double mzz, double mxz) const {
    (void)mxx, (void)mzz, (void)mxz;
    return {};
  }
  // Whether some source type drives a stress plane (Forcing::into_stress): only then do the point
  // kernels bind the stress group.
  virtual bool has_stress_sources() const { return false; }
  // The images of every field above a free surface ([solver] free_surface); empty where the
  // medium has no free surface yet.
  virtual std::vector<SurfaceImage> surface_images() const { return {}; }
  // Where sample (i, j) of every plane sits in the cell, at ((i + x) dx, (j + z) dz): the velocity
  // planes, then the stress planes. The CPML evaluates its profiles there ([solver] boundary = cpml);
  // empty where the medium has no CPML.
  virtual std::vector<std::array<double, 2>> plane_positions() const { return {}; }
  // The adjoint kernels call the z transposes through dz_*_t_of (stencil.wgsl), which fold the
  // mirrored rows back: only such media take a free surface in adjoint and Born runs.

  // The medium's adjoint kernels (adjoint_velocity, adjoint_stress), composed after
  // stencil.wgsl and fields_adjoint.wgsl; empty when the medium has no adjoint yet.
  virtual std::string adjoint_wgsl() const { return {}; }
  // The medium's linearization hooks (born_velocity_term, born_stress_term) plus its kernels,
  // composed after stencil.wgsl and fields_born.wgsl; empty when not available.
  virtual std::string born_wgsl() const { return {}; }
  // d J / d model value at every node, from d J / d material-plane value (chain rule through the
  // parameter averaging and dt). Keys are kernel names: "mu", "rho", ... (the parameters the
  // kernels are built from) and the velocity parametrization "vs", "vp", "rho_velocity" (density
  // at fixed velocities).
  virtual std::map<std::string, std::vector<double>> model_gradient(
      const io::Model& model, double dt, std::span<const double> plane_gradient) const {
    (void)model, (void)dt, (void)plane_gradient;
    return {};
  }
};

std::unique_ptr<WaveEquation> make_sh();
// `source_types`: read the sources.dat type column ([solver] source_types = yes): 0 force,
// 1 explosion, 2 moment tensor. Off (Seispie's), every source is a force whatever its type.
std::unique_ptr<WaveEquation> make_psv(bool source_types = false);
std::unique_ptr<WaveEquation> make_cosserat(bool source_types = false);
std::unique_ptr<WaveEquation> make_acoustic();

// Stability limit of the 4th-order staggered leapfrog for a wave speed c: dt <= 2 / (c * |D|), with
// |D| = (7/3) sqrt(1/dx^2 + 1/dz^2) the largest symbol of the difference operators.
double staggered_dt_limit(double speed, double dx, double dz);
// The largest value of the 4th-order staggered difference symbol for spacing h: (9/8 + 1/24) * 2 / h.
inline double max_symbol(double h) { return (9.0 / 8.0 + 1.0 / 24.0) * 2.0 / h; }

}  // namespace seiswg::physics
