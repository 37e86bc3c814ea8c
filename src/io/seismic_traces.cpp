#include "io/seismic_traces.hpp"

#ifdef SEISWG_WITH_SEGYIO
#include <segyio/segy.h>
#endif

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <system_error>

#include "io/atomic_file.hpp"
#include "io/error.hpp"
#include "io/features.hpp"

namespace seiswg::io {
namespace fs = std::filesystem;

#ifdef SEISWG_WITH_SEGYIO
namespace {

// segyio's error codes in words (segy.h, SEGY_ERROR).
std::string segy_error_text(int code) {
  switch (code) {
    case SEGY_FOPEN_ERROR:
      return "cannot open the file";
    case SEGY_FSEEK_ERROR:
      return "seek failed";
    case SEGY_FREAD_ERROR:
      return "the file ends early";
    case SEGY_FWRITE_ERROR:
      return "write failed";
    case SEGY_TRACE_SIZE_MISMATCH:
      return "the size is not a whole number of traces";
    case SEGY_INVALID_ARGS:
      return "invalid arguments";
    default:
      return "segyio error " + std::to_string(code);
  }
}

// A segyio file handle that is closed on every path.
class SegyFile {
 public:
  SegyFile(const fs::path& path, const char* mode) : path_(path), file_(segy_open(path.c_str(), mode)) {
    if (!file_) throw InputError("cannot open " + path.string() + ": " + std::strerror(errno));
  }
  ~SegyFile() {
    if (file_) segy_close(file_);
  }
  SegyFile(const SegyFile&) = delete;
  SegyFile& operator=(const SegyFile&) = delete;
  segy_file* get() const { return file_; }
  // Closes the file, reporting a failed flush (the end of a written file).
  void close() {
    segy_file* f = file_;
    file_ = nullptr;
    if (segy_close(f) != SEGY_OK) throw InputError("cannot write " + path_.string() + ": closing failed");
  }

 private:
  fs::path path_;
  segy_file* file_;
};

void check_write(int code, const fs::path& path, const char* what) {
  if (code != SEGY_OK)
    throw InputError("cannot write " + path.string() + ": " + what + ": " + segy_error_text(code));
}

// The SEG-Y coordinate scalar (trace header bytes 69 and 71: negative values divide, positive ones
// multiply) that keeps every coordinate to the centimetre, or as close as 32-bit fields allow.
int coordinate_scalar(const TraceGeometry& g) {
  double largest = std::max(std::abs(g.source_x), std::abs(g.source_z));
  for (double v : g.receiver_x) largest = std::max(largest, std::abs(v));
  for (double v : g.receiver_z) largest = std::max(largest, std::abs(v));
  constexpr double kLimit = double(std::numeric_limits<std::int32_t>::max()) * 0.99;
  for (int scalar : {-100, -10, 1, 10, 100, 1000, 10000})
    if (largest / (scalar < 0 ? 1.0 / -scalar : double(scalar)) < kLimit) return scalar;
  return 10000;
}

std::int32_t scaled(double v, int scalar) {
  return std::int32_t(std::lround(v / (scalar < 0 ? 1.0 / -scalar : double(scalar))));
}

// The textual header: 40 lines of 80 characters, "C 1 " to "C40 ", saying what the file is.
std::string textual_header(const TraceGeometry& g, std::size_t samples, int dt_us, int scalar) {
  char line[96];
  std::string text;
  auto add = [&](const std::string& content) {
    const int number = int(text.size() / 80) + 1;
    std::snprintf(line, sizeof line, "C%2d %-76.76s", number, content.c_str());
    text += line;
  };
  add("SYNTHETIC SEISMOGRAMS OF SEISWG, A FINITE-DIFFERENCE WAVE SOLVER");
  add("SHOT (FIELD RECORD) " + std::to_string(g.field_record) + ": " + std::to_string(g.receiver_x.size()) +
      " TRACES, ONE PER STATION, IN THE ORDER OF STATIONS.DAT");
  add("DISPLACEMENT (INTEGRATED VELOCITY), " + std::to_string(samples) +
      " SAMPLES PER TRACE FROM T = 0, EVERY " + std::to_string(dt_us) + " US");
  add("SAMPLES: 4-BYTE IEEE FLOATS (FORMAT CODE 5), BIG-ENDIAN");
  add("COORDINATES IN METRES, SEG-Y SCALAR " + std::to_string(scalar) + " IN BYTES 69 AND 71");
  add("X: SOURCE IN BYTE 73, RECEIVER IN BYTE 81; OFFSET (WHOLE M) IN BYTE 37");
  add("Z POSITIVE DOWN: SOURCE DEPTH IN BYTE 49; ELEVATIONS (41, 45) ARE -Z");
  add("TRACE SEQUENCE NUMBERS IN BYTES 1 AND 5, CHANNEL (STATION) IN BYTE 13");
  while (text.size() < 39 * 80) add("");
  add("END TEXTUAL HEADER");
  return text;
}

void write_traces(const fs::path& tmp, const fs::path& path, TraceFileFormat format,
                  std::span<const float> traces, std::size_t samples, const TraceGeometry& g, int dt_us) {
  SegyFile file(tmp, "w+b");
  segy_file* f = file.get();
  check_write(segy_set_format(
                  f, int(SEGY_IEEE_FLOAT_4_BYTE) | int(format == TraceFileFormat::su ? SEGY_LSB : SEGY_MSB)),
              path, "sample format");
  const int scalar = coordinate_scalar(g);
  const int ns = int(samples);
  long trace0 = 0;
  if (format == TraceFileFormat::segy) {
    const std::string text = textual_header(g, samples, dt_us, scalar);
    check_write(segy_write_textheader(f, 0, text.c_str()), path, "textual header");
    char bin[SEGY_BINARY_HEADER_SIZE] = {};
    segy_set_bfield(bin, SEGY_BIN_TRACES, int(g.receiver_x.size()));
    segy_set_bfield(bin, SEGY_BIN_INTERVAL, dt_us);
    segy_set_bfield(bin, SEGY_BIN_INTERVAL_ORIG, dt_us);
    segy_set_bfield(bin, SEGY_BIN_SAMPLES, ns);
    segy_set_bfield(bin, SEGY_BIN_SAMPLES_ORIG, ns);
    segy_set_bfield(bin, SEGY_BIN_FORMAT, SEGY_IEEE_FLOAT_4_BYTE);
    segy_set_bfield(bin, SEGY_BIN_SORTING_CODE, 1);        // as recorded
    segy_set_bfield(bin, SEGY_BIN_MEASUREMENT_SYSTEM, 1);  // metres
    segy_set_bfield(bin, SEGY_BIN_SEGY_REVISION, 0x0100);  // rev 1.0
    segy_set_bfield(bin, SEGY_BIN_TRACE_FLAG, 1);          // every trace has the same length
    segy_set_bfield(bin, SEGY_BIN_EXT_HEADERS, 0);
    check_write(segy_write_binheader(f, bin), path, "binary header");
    trace0 = SEGY_TEXT_HEADER_SIZE + SEGY_BINARY_HEADER_SIZE;
  }
  const int bsize = ns * 4;
  std::vector<float> buffer(samples);
  for (std::size_t t = 0; t < g.receiver_x.size(); ++t) {
    char header[SEGY_TRACE_HEADER_SIZE] = {};
    const int number = int(t + 1);
    segy_set_field(header, SEGY_TR_SEQ_LINE, number);
    segy_set_field(header, SEGY_TR_SEQ_FILE, number);
    segy_set_field(header, SEGY_TR_FIELD_RECORD, g.field_record);
    segy_set_field(header, SEGY_TR_NUMBER_ORIG_FIELD, number);
    segy_set_field(header, SEGY_TR_ENERGY_SOURCE_POINT, g.field_record);
    segy_set_field(header, SEGY_TR_TRACE_ID, 1);  // seismic data
    segy_set_field(header, SEGY_TR_DATA_USE, 1);  // production
    segy_set_field(header, SEGY_TR_OFFSET, int(std::lround(g.receiver_x[t] - g.source_x)));
    segy_set_field(header, SEGY_TR_RECV_GROUP_ELEV, scaled(-g.receiver_z[t], scalar));
    segy_set_field(header, SEGY_TR_SOURCE_SURF_ELEV, scaled(-g.source_z, scalar));
    segy_set_field(header, SEGY_TR_SOURCE_DEPTH, scaled(g.source_z, scalar));
    segy_set_field(header, SEGY_TR_ELEV_SCALAR, scalar);
    segy_set_field(header, SEGY_TR_SOURCE_GROUP_SCALAR, scalar);
    segy_set_field(header, SEGY_TR_SOURCE_X, scaled(g.source_x, scalar));
    segy_set_field(header, SEGY_TR_GROUP_X, scaled(g.receiver_x[t], scalar));
    segy_set_field(header, SEGY_TR_COORD_UNITS, 1);  // length (metres)
    segy_set_field(header, SEGY_TR_SAMPLE_COUNT, ns);
    segy_set_field(header, SEGY_TR_SAMPLE_INTER, dt_us);
    check_write(segy_write_traceheader(f, int(t), header, trace0, bsize), path, "trace header");
    std::copy_n(traces.begin() + std::ptrdiff_t(t * samples), samples, buffer.begin());
    segy_from_native(SEGY_IEEE_FLOAT_4_BYTE, (long long)samples, buffer.data());
    check_write(segy_writetrace(f, int(t), buffer.data(), trace0, bsize), path, "trace");
  }
  file.close();
}

}  // namespace
#endif

const char* extension(TraceFileFormat format) { return format == TraceFileFormat::su ? ".su" : ".sgy"; }

int sample_interval_us(double dt, const std::string& where, bool* exact) {
  const double us = dt * 1e6;
  const double rounded = std::nearbyint(us);
  if (!(rounded >= 1 && rounded <= 32767)) {
    char text[64];
    std::snprintf(text, sizeof text, "%.6g", dt);
    throw InputError(where + ": dt = " + text +
                     " s cannot be stored in SU/SEG-Y headers, which hold the sample interval as a "
                     "whole number of microseconds from 1 to 32767 (16-bit field)");
  }
  if (exact) *exact = std::abs(us - rounded) <= 1e-6 * us;
  return int(rounded);
}

#ifdef SEISWG_WITH_SEGYIO
void write_trace_file(const fs::path& path, TraceFileFormat format, std::span<const float> traces,
                      std::size_t samples, const TraceGeometry& geometry) {
  if (geometry.receiver_z.size() != geometry.receiver_x.size() ||
      traces.size() != geometry.receiver_x.size() * samples)
    throw std::invalid_argument("write_trace_file: traces, samples and receivers disagree");
  if (samples == 0 || samples > kMaxTraceSamples)
    throw InputError("cannot write " + path.string() + ": " + std::to_string(samples) +
                     " samples per trace; SU and SEG-Y headers hold 1 to " +
                     std::to_string(kMaxTraceSamples) + " (16-bit field)");
  const int dt_us = sample_interval_us(geometry.dt, "cannot write " + path.string());
  write_file_atomic_with(
      path, [&](const fs::path& tmp) { write_traces(tmp, path, format, traces, samples, geometry, dt_us); });
}

TraceFile read_trace_file(const fs::path& path, TraceFileFormat format) {
  const std::string name = path.string();
  const bool su = format == TraceFileFormat::su;
  std::error_code ec;
  const auto bytes = fs::file_size(path, ec);
  if (ec) throw InputError("cannot read " + name + ": " + ec.message());
  SegyFile file(path, "rb");
  segy_file* f = file.get();
  int sample_format = SEGY_IEEE_FLOAT_4_BYTE;
  long trace0 = 0;
  int ns = 0, dt_us = 0;
  if (su) {
    if (bytes < SEGY_TRACE_HEADER_SIZE)
      throw InputError(name + ": " + std::to_string(bytes) +
                       " bytes, less than one SU trace header (240 bytes)");
    segy_set_format(f, int(SEGY_IEEE_FLOAT_4_BYTE) | int(SEGY_LSB));
    char header[SEGY_TRACE_HEADER_SIZE];
    if (const int rc = segy_traceheader(f, 0, header, 0, 0); rc != SEGY_OK)
      throw InputError(name + ": cannot read the first trace header: " + segy_error_text(rc));
    segy_get_field(header, SEGY_TR_SAMPLE_COUNT, &ns);
    segy_get_field(header, SEGY_TR_SAMPLE_INTER, &dt_us);
  } else {
    if (bytes < SEGY_TEXT_HEADER_SIZE + SEGY_BINARY_HEADER_SIZE)
      throw InputError(name + ": " + std::to_string(bytes) +
                       " bytes, less than the SEG-Y textual and binary headers (3600 bytes)");
    char bin[SEGY_BINARY_HEADER_SIZE];
    if (const int rc = segy_binheader(f, bin); rc != SEGY_OK)
      throw InputError(name + ": cannot read the binary header: " + segy_error_text(rc));
    sample_format = segy_format(bin);
    if (sample_format != SEGY_IEEE_FLOAT_4_BYTE && sample_format != SEGY_IBM_FLOAT_4_BYTE) {
      const int swapped = ((sample_format & 0xff) << 8) | ((sample_format >> 8) & 0xff);
      throw InputError(name + ": sample format code " + std::to_string(sample_format) +
                       " in the binary header (byte 3225); seiswg reads 4-byte IEEE (5) or IBM (1) floats" +
                       (swapped == 1 || swapped == 5 ? " in big-endian order (this file looks little-endian)"
                                                     : std::string()));
    }
    segy_set_format(f, sample_format | int(SEGY_MSB));
    ns = segy_samples(bin);
    trace0 = segy_trace0(bin);
    segy_get_bfield(bin, SEGY_BIN_INTERVAL, &dt_us);
  }
  if (ns <= 0)
    throw InputError(name + ": " + std::to_string(ns) + " samples per trace in the " +
                     (su ? "first trace header (bytes 115-116)" : "binary header (bytes 3221-3222)"));
  const int bsize = segy_trsize(sample_format, ns);
  int count = 0;
  if (const int rc = segy_traces(f, &count, trace0, bsize); rc != SEGY_OK) {
    const long long data = (long long)bytes - trace0;
    throw InputError(name + ": " + std::to_string(data) + " bytes of traces" +
                     (su ? std::string() : " after the " + std::to_string(trace0) + "-byte headers") +
                     " are not a whole number of traces of " + std::to_string(ns) + " samples (240 + " +
                     std::to_string(bsize) + " bytes each)");
  }
  TraceFile out;
  out.traces = std::size_t(count);
  out.samples = std::size_t(ns);
  out.dt = dt_us > 0 ? dt_us * 1e-6 : 0;
  out.values.resize(out.traces * out.samples);
  for (int t = 0; t < count; ++t) {
    char header[SEGY_TRACE_HEADER_SIZE];
    if (const int rc = segy_traceheader(f, t, header, trace0, bsize); rc != SEGY_OK)
      throw InputError(name + ": cannot read trace header " + std::to_string(t + 1) + ": " +
                       segy_error_text(rc));
    int trace_ns = 0;
    segy_get_field(header, SEGY_TR_SAMPLE_COUNT, &trace_ns);
    // SEG-Y files may leave the trace's count at 0 (the binary header rules); SU files may not.
    if (trace_ns != ns && (su || trace_ns != 0))
      throw InputError(name + ": trace " + std::to_string(t + 1) + " has " + std::to_string(trace_ns) +
                       " samples, but " + (su ? "trace 1 has " : "the binary header says ") +
                       std::to_string(ns) + " (seiswg reads traces of one length)");
    float* values = out.values.data() + std::size_t(t) * out.samples;
    if (const int rc = segy_readtrace(f, t, values, trace0, bsize); rc != SEGY_OK)
      throw InputError(name + ": cannot read trace " + std::to_string(t + 1) + ": " + segy_error_text(rc));
    segy_to_native(sample_format, ns, values);
    for (int k = 0; k < ns; ++k)
      if (!std::isfinite(values[k]))
        throw InputError(name + ": trace " + std::to_string(t + 1) +
                         " holds a NaN or infinite sample (sample " + std::to_string(k + 1) + ")");
  }
  return out;
}

#else
// Without libsegyio (the browser build): the case reader refuses su/segy before any run.
void write_trace_file(const fs::path&, TraceFileFormat, std::span<const float>, std::size_t,
                      const TraceGeometry&) {
  throw InputError(trace_files_unavailable());
}
TraceFile read_trace_file(const fs::path& path, TraceFileFormat) {
  throw InputError(path.string() + ": " + trace_files_unavailable());
}
#endif

}  // namespace seiswg::io
