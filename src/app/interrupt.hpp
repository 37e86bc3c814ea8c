#pragma once
// SIGINT, SIGTERM and SIGHUP (Ctrl-C, a cluster's time limit, a closed terminal) stop a run at the next
// batch boundary instead of killing it mid-write: the handler only sets a flag, which the app layer polls
// between GPU batches and turns into an Interrupted exception, so that every temporary file is removed by
// the usual unwinding. SIGPIPE is ignored: a closed log pipe (`seiswg run ... | head`) must not kill a run.
#include <stdexcept>
#include <string>

namespace seiswg::app {

struct Interrupted : std::runtime_error {
  Interrupted(int signal_number, const std::string& during);
  int signal_number;
  std::string during;  // what was running, e.g. "the SH forward run (step 200 of 500)"
  // What became of the outputs, when not the usual "nothing of this run was kept" (set by the code
  // that knows, e.g. a rank interrupted while its outputs were in place but undecided).
  std::string outcome;
};

// Installs the handlers (once; `seiswg run` only, whose loops poll the flag). A third signal ends the
// process at once, for a run stuck where nothing polls.
void install_interrupt_handlers();
// The signal received so far (0: none).
int interrupt_signal();
// Throws Interrupted(signal, during) when a signal has arrived.
void throw_if_interrupted(const std::string& during);
// "SIGTERM", "SIGINT", "SIGHUP" (or "signal N").
std::string signal_name(int signal_number);

}  // namespace seiswg::app
