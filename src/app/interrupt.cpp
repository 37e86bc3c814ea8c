#include "app/interrupt.hpp"

#include <signal.h>

#include <csignal>

#ifdef __EMSCRIPTEN__
#include <emscripten.h>
#endif

namespace seiswg::app {
namespace {

volatile std::sig_atomic_t received_signal = 0;
volatile std::sig_atomic_t signal_count = 0;

extern "C" void on_interrupt(int signal_number) {
  // Only async-signal-safe work here: remember the signal; the run stops at its next poll.
  if (received_signal == 0) received_signal = signal_number;
  signal_count = signal_count + 1;
  if (signal_count >= 3) {
    std::signal(signal_number, SIG_DFL);
    std::raise(signal_number);
  }
}

}  // namespace

Interrupted::Interrupted(int signal_number_, const std::string& during_)
    : std::runtime_error("interrupted by " + signal_name(signal_number_) + " during " + during_),
      signal_number(signal_number_),
      during(during_) {}

void install_interrupt_handlers() {
  struct sigaction action {};
  action.sa_handler = on_interrupt;
  sigemptyset(&action.sa_mask);
  // Restarted system calls: the libraries' threads (Dawn, lavapipe) need not expect EINTR.
  action.sa_flags = SA_RESTART;
  for (const int s : {SIGINT, SIGTERM, SIGHUP}) sigaction(s, &action, nullptr);
  struct sigaction ignore {};
  ignore.sa_handler = SIG_IGN;
  sigemptyset(&ignore.sa_mask);
  sigaction(SIGPIPE, &ignore, nullptr);
}

#ifdef __EMSCRIPTEN__
// The browser has no signals: the page's Cancel (window.seiswg.cancel) sets a flag in the worker, read
// here at the same polls, and reported as SIGINT would be.
EM_JS(int, web_cancel_requested, (), { return Module["seiswgCancelRequested"] ? 1 : 0; });
int interrupt_signal() { return web_cancel_requested() ? SIGINT : int(received_signal); }
#else
int interrupt_signal() { return received_signal; }
#endif

void throw_if_interrupted(const std::string& during) {
  if (const int s = interrupt_signal()) throw Interrupted(s, during);
}

std::string signal_name(int signal_number) {
  switch (signal_number) {
    case SIGINT:
      return "SIGINT";
    case SIGTERM:
      return "SIGTERM";
    case SIGHUP:
      return "SIGHUP";
    default:
      return "signal " + std::to_string(signal_number);
  }
}

}  // namespace seiswg::app
