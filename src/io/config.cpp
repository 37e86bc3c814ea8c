#include "io/config.hpp"

#include <algorithm>
#include <cmath>
#include <string_view>
#include <system_error>

#include "io/error.hpp"
#include "io/text_util.hpp"

namespace seiswg::io {
namespace fs = std::filesystem;
using detail::to_lower;
using detail::trim;

namespace {

// A file name for messages: relative to the working folder when the file lies below it, else absolute.
std::string display(const fs::path& p) {
  std::error_code ec;
  const fs::path cwd = fs::current_path(ec);
  if (!ec) {
    const fs::path rel = p.lexically_relative(cwd);
    if (!rel.empty() && *rel.begin() != "..") return rel.string();
  }
  return p.string();
}

std::string at(const ConfigValue& v) { return display(v.file) + ":" + std::to_string(v.line); }

std::string key_text(const std::string& section, const std::string& key) {
  return "[" + section + "] " + key;
}

// Optimal-string-alignment distance: insertions, deletions, substitutions and swaps of two
// neighbouring letters count one edit each. Swaps are the commonest typo ("abs_widht"): plain
// Levenshtein counts them as two and ties abs_width with abs_right.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i)
    for (std::size_t j = 1; j <= b.size(); ++j) {
      d[i][j] =
          std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.size()][b.size()];
}

// The closest name within 2 edits, for "did you mean" hints.
std::string closest(const std::string& word, const std::set<std::string>& candidates) {
  std::string best;
  std::size_t best_d = 3;
  for (const std::string& c : candidates) {
    const std::size_t d = edit_distance(word, to_lower(c));
    if (d < best_d && d < word.size()) {
      best_d = d;
      best = c;
    }
  }
  return best;
}

// The contents of one file, before inheritance.
struct ParsedFile {
  std::map<std::string, std::map<std::string, ConfigValue>> sections;
  std::map<std::string, ConfigValue> headers;
  std::vector<std::string> warnings;
};

// Where an inline comment starts in a value: a '#' or ';' after white space (so that "a#b" and URLs
// stay whole); npos when there is none.
std::size_t inline_comment(std::string_view value) {
  for (std::size_t k = 1; k < value.size(); ++k)
    if ((value[k] == '#' || value[k] == ';') && (value[k - 1] == ' ' || value[k - 1] == '\t')) return k;
  return std::string_view::npos;
}

ParsedFile parse_file(const fs::path& file) {
  const std::string name = display(file);
  const std::vector<std::string> lines = detail::read_lines(file.string(), "config file");
  ParsedFile out;
  std::string section;
  bool any_text = false;
  for (std::size_t n = 0; n < lines.size(); ++n) {
    const int line_no = static_cast<int>(n + 1);
    const std::string where = name + ":" + std::to_string(line_no) + ": ";
    if (lines[n].find('\0') != std::string::npos)
      throw InputError(where + "a NUL byte (character 0) in the line at column " +
                       std::to_string(lines[n].find('\0') + 1) + ": a config file is text");
    const std::string_view text = trim(lines[n]);
    if (text.find('\r') != std::string_view::npos)
      throw InputError(where +
                       "the line holds carriage returns (CR) inside: the file has old Mac (CR-only) " +
                       "line endings; save it with LF or CR LF line endings");
    if (!text.empty()) any_text = true;
    if (text.empty() || text.front() == '#' || text.front() == ';') continue;
    if (text.front() == '[') {
      if (text.back() != ']' || trim(text.substr(1, text.size() - 2)).empty()) {
        throw InputError(where + "\"" + std::string(text) +
                         "\" is not a valid line; expected [section] or key = value");
      }
      section = to_lower(trim(text.substr(1, text.size() - 2)));
      const ConfigValue origin{"", file, line_no};
      if (const auto it = out.headers.find(section); it != out.headers.end()) {
        throw InputError(where + "duplicate section [" + section + "] (first at " + at(it->second) + ")");
      }
      out.headers.emplace(section, origin);
      out.sections[section];
      continue;
    }
    const std::size_t delim = text.find_first_of("=:");
    if (delim == std::string_view::npos || trim(text.substr(0, delim)).empty()) {
      throw InputError(where + "\"" + std::string(text) +
                       "\" is not a valid line; expected [section] or key = value");
    }
    const std::string written = to_lower(trim(text.substr(0, delim)));
    const std::string key = written == "adj_interval" ? "adjoint_interval" : written;
    if (section.empty()) {
      throw InputError(where + "key \"" + written +
                       "\" comes before any [section] header; expected [section] first");
    }
    auto& keys = out.sections[section];
    if (const auto it = keys.find(key); it != keys.end()) {
      throw InputError(
          where + "duplicate key " + key_text(section, key) + " (first set at " + at(it->second) +
          (written != key ? "; adj_interval is another spelling of adjoint_interval" : "") + ")");
    }
    std::string_view value = trim(text.substr(delim + 1));
    if (const std::size_t comment = inline_comment(value); comment != std::string_view::npos) {
      // Python's configparser (Seispie) keeps such text in the value by default, which would, for
      // instance, make a folder named "out # note": seiswg drops it and says so.
      out.warnings.push_back(where + key_text(section, key) + ": the inline comment \"" +
                             std::string(value.substr(comment)) + "\" is ignored (value \"" +
                             std::string(trim(value.substr(0, comment))) +
                             "\"); Seispie would read it as part of the value: put comments on lines of "
                             "their own");
      value = trim(value.substr(0, comment));
    }
    keys.emplace(key, ConfigValue{std::string(value), file, line_no});
  }
  if (out.headers.empty()) {
    std::error_code ec;
    const auto bytes = fs::file_size(file, ec);
    throw InputError(name +
                     (!any_text ? (!ec && bytes == 0 ? ": the config file is empty"
                                                     : ": the config file holds only blank lines")
                                : ": the config file has no [section]") +
                     "; expected sections such as [workflow], [solver] and [path] with key = value lines");
  }
  return out;
}

fs::path identity(const fs::path& p) {
  std::error_code ec;
  fs::path c = fs::weakly_canonical(p, ec);
  return ec ? p : c;
}

Config load_file(const fs::path& file, std::vector<fs::path>& chain) {
  ParsedFile parsed = parse_file(file);
  Config cfg;
  cfg.file = file;
  cfg.dir = file.parent_path();

  const auto wf = parsed.sections.find("workflow");
  const ConfigValue* inherit = nullptr;
  if (wf != parsed.sections.end()) {
    if (const auto it = wf->second.find("inherit"); it != wf->second.end()) inherit = &it->second;
  }
  if (inherit && !inherit->value.empty() && to_lower(inherit->value) != "no") {
    const std::string where = at(*inherit) + ": [workflow] inherit = " + inherit->value;
    const fs::path parent_dir = (cfg.dir / ".." / inherit->value).lexically_normal();
    const fs::path parent = parent_dir / "config.ini";
    std::error_code ec;
    if (!fs::is_regular_file(parent, ec)) {
      throw InputError(where + ": the parent config " + parent.string() + " does not exist");
    }
    const fs::path id = identity(parent);
    if (std::find(chain.begin(), chain.end(), id) != chain.end()) {
      std::string cycle;
      for (const fs::path& c : chain) cycle += display(c) + " -> ";
      throw InputError(where + ": inheritance cycle " + cycle + display(parent));
    }
    chain.push_back(id);
    Config base = load_file(parent, chain);
    chain.pop_back();
    cfg.sections = std::move(base.sections);
    cfg.section_origins = std::move(base.section_origins);
    cfg.warnings = std::move(base.warnings);
  }
  cfg.warnings.insert(cfg.warnings.end(), parsed.warnings.begin(), parsed.warnings.end());
  for (auto& [section, keys] : parsed.sections) {
    auto& target = cfg.sections[section];
    for (auto& [key, value] : keys) target.insert_or_assign(key, std::move(value));
  }
  for (auto& [section, origin] : parsed.headers)
    cfg.section_origins.insert_or_assign(section, std::move(origin));
  return cfg;
}

}  // namespace

bool RealRange::holds(double v) const {
  return (open_min ? v > min : v >= min) && (open_max ? v < max : v <= max);
}

std::string RealRange::text() const {
  const bool bounded_below = std::isfinite(min), bounded_above = std::isfinite(max);
  if (bounded_below && !bounded_above) return (open_min ? "> " : ">= ") + detail::fmt_num(min);
  if (!bounded_below && bounded_above) return (open_max ? "< " : "<= ") + detail::fmt_num(max);
  if (!bounded_below) return "(any)";
  return std::string("in ") + (open_min ? "(" : "[") + detail::fmt_num(min) + ", " + detail::fmt_num(max) +
         (open_max ? ")" : "]");
}

const ConfigValue* Config::find(const std::string& section, const std::string& key) const {
  const auto s = sections.find(to_lower(section));
  if (s == sections.end()) return nullptr;
  const auto k = s->second.find(to_lower(key));
  return k == s->second.end() ? nullptr : &k->second;
}

bool Config::has(const std::string& section, const std::string& key) const {
  return find(section, key) != nullptr;
}

namespace {
[[noreturn]] void missing(const fs::path& file, const std::string& section, const std::string& key,
                          const std::string& what) {
  throw InputError(display(file) + ": missing " + key_text(to_lower(section), to_lower(key)) + " (" + what +
                   ")");
}
}  // namespace

std::string Config::get_string(const std::string& section, const std::string& key,
                               const std::string& what) const {
  const ConfigValue* v = find(section, key);
  if (!v) missing(file, section, key, what);
  return v->value;
}

std::string Config::get_string_or(const std::string& section, const std::string& key,
                                  const std::string& fallback) const {
  const ConfigValue* v = find(section, key);
  return v ? v->value : fallback;
}

namespace {
[[noreturn]] void bad_value(const ConfigValue& v, const std::string& section, const std::string& key,
                            const std::string& rule) {
  throw InputError(at(v) + ": " + key_text(to_lower(section), to_lower(key)) + " = \"" + v.value +
                   "\": " + rule);
}

long parse_int(const ConfigValue& v, const std::string& section, const std::string& key, long min, long max) {
  const std::string range = "expected an integer from " + std::to_string(min) + " to " + std::to_string(max);
  const std::optional<long> n = detail::parse_long(v.value);
  if (!n) {
    // Digits that do not fit a long are out of range, not malformed.
    const std::string_view t = trim(v.value);
    const bool digits = !t.empty() && std::all_of(t.begin() + (t.front() == '-' || t.front() == '+'), t.end(),
                                                  [](char ch) { return ch >= '0' && ch <= '9'; });
    bad_value(v, section, key, digits ? range : "expected an integer");
  }
  if (*n < min || *n > max) bad_value(v, section, key, range);
  return *n;
}

double parse_real(const ConfigValue& v, const std::string& section, const std::string& key,
                  const RealRange& range) {
  const std::optional<double> d = detail::parse_double(v.value);
  if (!d) bad_value(v, section, key, "expected a number");
  if (!std::isfinite(*d)) bad_value(v, section, key, "expected a finite number");
  if (std::fpclassify(*d) == FP_SUBNORMAL)
    bad_value(v, section, key,
              "too small to be one: a subnormal number (expected 0 or a magnitude of at least " +
                  detail::fmt_num(std::numeric_limits<double>::min()) + ")");
  if (!range.holds(*d)) bad_value(v, section, key, "expected a number " + range.text());
  return *d;
}
}  // namespace

long Config::get_int(const std::string& section, const std::string& key, const std::string& what, long min,
                     long max) const {
  const ConfigValue* v = find(section, key);
  if (!v) missing(file, section, key, what);
  return parse_int(*v, section, key, min, max);
}

long Config::get_int_or(const std::string& section, const std::string& key, long fallback, long min,
                        long max) const {
  const ConfigValue* v = find(section, key);
  return v ? parse_int(*v, section, key, min, max) : fallback;
}

double Config::get_double(const std::string& section, const std::string& key, const std::string& what,
                          const RealRange& range) const {
  const ConfigValue* v = find(section, key);
  if (!v) missing(file, section, key, what);
  return parse_real(*v, section, key, range);
}

double Config::get_double_or(const std::string& section, const std::string& key, double fallback,
                             const RealRange& range) const {
  const ConfigValue* v = find(section, key);
  return v ? parse_real(*v, section, key, range) : fallback;
}

bool Config::get_bool_or(const std::string& section, const std::string& key, bool fallback) const {
  const ConfigValue* v = find(section, key);
  if (!v) return fallback;
  const std::string w = to_lower(v->value);
  if (w == "yes" || w == "true" || w == "on" || w == "1") return true;
  if (w == "no" || w == "false" || w == "off" || w == "0") return false;
  bad_value(*v, section, key, "expected yes/no, true/false, on/off or 1/0");
}

std::optional<fs::path> Config::get_path(const std::string& key) const {
  const ConfigValue* v = find("path", key);
  if (!v || to_lower(v->value) == "no") return std::nullopt;
  if (v->value.empty())
    throw InputError(at(*v) + ": [path] " + to_lower(key) +
                     " is empty: give a path, or remove the line (or write `no`) when there is none");
  fs::path p(v->value);
  if (p.is_relative()) p = v->file.parent_path() / p;
  return p.lexically_normal();
}

std::string Config::where(const std::string& section, const std::string& key) const {
  const ConfigValue* v = find(section, key);
  const std::string k = key_text(to_lower(section), to_lower(key));
  if (!v) return display(file) + " " + k + " (not set)";
  return at(*v) + " " + k + " = " + v->value;
}

Config load_config(const fs::path& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) throw InputError("config path " + path.string() + " does not exist");
  fs::path file = path;
  if (fs::is_directory(path, ec)) {
    file = path / "config.ini";
    if (!fs::exists(file, ec)) throw InputError("the folder " + path.string() + " has no config.ini");
  }
  file = fs::absolute(file, ec).lexically_normal();
  if (ec) throw InputError("cannot read config " + path.string() + ": " + ec.message());
  std::vector<fs::path> chain{identity(file)};
  return load_file(file, chain);
}

void warn_unknown_keys(Config& cfg, const std::map<std::string, std::set<std::string>>& known) {
  std::map<std::string, std::set<std::string>> lower;
  std::set<std::string> section_names;
  for (const auto& [section, keys] : known) {
    section_names.insert(to_lower(section));
    for (const std::string& k : keys) lower[to_lower(section)].insert(to_lower(k));
  }
  for (const auto& [section, keys] : cfg.sections) {
    const auto s = lower.find(section);
    if (!section_names.count(section)) {
      const auto o = cfg.section_origins.find(section);
      const std::string where = o != cfg.section_origins.end() ? at(o->second)
                                : keys.empty()                 ? display(cfg.file)
                                                               : at(keys.begin()->second);
      const std::string hint = closest(section, section_names);
      cfg.warnings.push_back(where + ": unknown section [" + section + "] (ignored)" +
                             (hint.empty() ? "" : "; did you mean [" + hint + "]?"));
      continue;
    }
    static const std::set<std::string> none;
    const std::set<std::string>& ok = s == lower.end() ? none : s->second;
    for (const auto& [key, value] : keys) {
      if (ok.count(key)) continue;
      const std::string hint = closest(key, ok);
      cfg.warnings.push_back(at(value) + ": unknown key " + key_text(section, key) + " (ignored)" +
                             (hint.empty() ? "" : "; did you mean " + hint + "?"));
    }
  }
}

}  // namespace seiswg::io
