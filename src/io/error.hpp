#pragma once
#include <stdexcept>
#include <string>

namespace seiswg {

// A problem with the user's input. The message is complete on its own: it names the file (and line)
// or the config key, the offending value and the rule it broke, so the CLI prints it verbatim.
class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The GPU (or its absence) cannot run what was asked: no adapter, too little memory, a limit.
class GpuError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace seiswg
