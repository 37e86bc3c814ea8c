#pragma once
// Seismic Unix (.su) and SEG-Y rev 1 (.sgy) trace files through libsegyio: one file holds the traces of
// one component of one shot, a trace per receiver, with the headers the field's tools read (ObsPy,
// Madagascar, segyio, OpendTect).
#include <cstddef>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

namespace seiswg::io {

// SU: trace headers and IEEE float samples, native (little-endian) byte order, no file headers.
// SEG-Y rev 1: a 3200-byte textual header, a 400-byte binary header, then big-endian trace headers and
// IEEE float samples (format code 5).
enum class TraceFileFormat { su, segy };
// ".su" / ".sgy".
const char* extension(TraceFileFormat format);

// What the headers say about the traces of one file. Coordinates are in metres, z down (written as
// depths and negative elevations, with a coordinate scalar chosen so that they keep centimetres).
struct TraceGeometry {
  int field_record = 1;  // shot number (1-based)
  double source_x = 0, source_z = 0;
  std::vector<double> receiver_x, receiver_z;  // one per trace
  double dt = 0;                               // sample interval in seconds
};

// The sample interval in whole microseconds, as both formats store it (16-bit signed header fields):
// throws InputError naming `where` when dt is outside [1 us, 32767 us]. Sets `exact` to whether dt is a
// whole number of microseconds.
int sample_interval_us(double dt, const std::string& where, bool* exact = nullptr);
// The largest number of samples per trace the 16-bit header fields hold.
inline constexpr std::size_t kMaxTraceSamples = 32767;

// Writes traces [trace][samples] (traces = geometry.receiver_x.size()) atomically to `path`. Throws
// InputError naming the file for a sample count or interval the headers cannot hold, or a write error.
void write_trace_file(const std::filesystem::path& path, TraceFileFormat format,
                      std::span<const float> traces, std::size_t samples, const TraceGeometry& geometry);

struct TraceFile {
  std::size_t traces = 0, samples = 0;
  double dt = 0;              // the sample interval of the headers, in seconds (0: not given)
  std::vector<float> values;  // [trace][samples]
};

// Reads an SU or SEG-Y file (IEEE or IBM floats; SU in little-endian order, SEG-Y big-endian). Throws
// InputError naming the file and what is wrong (size not a whole number of traces, unsupported sample
// format, traces of different lengths, non-finite samples).
TraceFile read_trace_file(const std::filesystem::path& path, TraceFileFormat format);

}  // namespace seiswg::io
