#pragma once
#include <filesystem>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace seiswg::io {

// A value of config.ini and where it came from.
struct ConfigValue {
  std::string value;
  std::filesystem::path file;  // absolute path of the config file that set it
  int line = 0;                // 1-based line in that file
};

// The real values a key accepts: from min to max, either end excluded when open. Every real key is
// finite and, unless 0, a normal number (a subnormal such as 1e-320 is no setting).
struct RealRange {
  double min = -std::numeric_limits<double>::infinity();
  double max = std::numeric_limits<double>::infinity();
  bool open_min = false, open_max = false;
  static RealRange at_least(double v) { return {v, std::numeric_limits<double>::infinity(), false, false}; }
  static RealRange above(double v) { return {v, std::numeric_limits<double>::infinity(), true, false}; }
  bool holds(double v) const;
  // For messages: "> 0", ">= 0", "in [0, 0.5)".
  std::string text() const;
};

// Seispie's config.ini after inheritance. Section and key names are lowercase.
class Config {
 public:
  std::filesystem::path file;  // absolute path of the config.ini that was loaded
  std::filesystem::path dir;   // its folder
  // section -> key -> value
  std::map<std::string, std::map<std::string, ConfigValue>> sections;
  // section -> where its [section] header is (value is empty); used for messages about whole sections.
  std::map<std::string, ConfigValue> section_origins;
  std::vector<std::string> warnings;  // e.g. unknown keys

  bool has(const std::string& section, const std::string& key) const;

  // Typed getters. A present but malformed value throws InputError
  // "<file>:<line>: [solver] nt = "abc": expected an integer"; a missing required key throws
  // "<config file>: missing [solver] nt (<what>)", where `what` is a short description from the caller.
  std::string get_string(const std::string& section, const std::string& key, const std::string& what) const;
  std::string get_string_or(const std::string& section, const std::string& key,
                            const std::string& fallback) const;
  // Integers outside [min, max] (by default those an int holds) throw InputError naming the range:
  // nothing wraps.
  long get_int(const std::string& section, const std::string& key, const std::string& what,
               long min = std::numeric_limits<int>::min(), long max = std::numeric_limits<int>::max()) const;
  long get_int_or(const std::string& section, const std::string& key, long fallback,
                  long min = std::numeric_limits<int>::min(),
                  long max = std::numeric_limits<int>::max()) const;
  // Finite numbers in `range` only (NaN, Inf and subnormals are rejected); a value outside throws
  // InputError "<file>:<line>: [section] key = "v": expected a number <range>".
  double get_double(const std::string& section, const std::string& key, const std::string& what,
                    const RealRange& range = {}) const;
  double get_double_or(const std::string& section, const std::string& key, double fallback,
                       const RealRange& range = {}) const;
  // yes/no, true/false, on/off, 1/0 (case-insensitive).
  bool get_bool_or(const std::string& section, const std::string& key, bool fallback) const;
  // A [path] entry resolved against the folder of the config file the value came from (so inherited
  // paths point into the parent's folder). std::nullopt when absent or "no" (Seispie's "none"); an
  // empty value throws InputError (an empty model_true must not silently mean "none").
  std::optional<std::filesystem::path> get_path(const std::string& key) const;
  // Where a value came from, for messages: "config.ini:12 [solver] dt = 0.06".
  std::string where(const std::string& section, const std::string& key) const;

 private:
  const ConfigValue* find(const std::string& section, const std::string& key) const;
};

// Loads `path` (a config file, or a folder holding config.ini). Seispie INI syntax: [section] headers,
// "key = value" (or "key: value") lines, '#' / ';' comment lines, blank lines. If [workflow] inherit = NAME,
// <folder>/../NAME/config.ini is loaded first (recursively; cycles are an error) and this file's keys
// override the parent's one by one. `adj_interval` is stored as `adjoint_interval`.
Config load_config(const std::filesystem::path& path);

// Adds a warning for every key (and whole section) not in `known` (section -> keys), e.g.
// "config.ini:14: unknown key [solver] foo (ignored)".
void warn_unknown_keys(Config& cfg, const std::map<std::string, std::set<std::string>>& known);

}  // namespace seiswg::io
