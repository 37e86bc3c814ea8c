#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <string>

#include "io/config.hpp"
#include "io/error.hpp"

namespace {
namespace fs = std::filesystem;
using seiswg::InputError;
using namespace seiswg::io;

struct TempDir {
  fs::path path;
  TempDir() {
    std::random_device rd;
    path = fs::temp_directory_path() / ("seiswg_io_config_" + std::to_string(rd()) + std::to_string(rd()));
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

fs::path write_config(const fs::path& dir, const std::string& text) {
  fs::create_directories(dir);
  std::ofstream(dir / "config.ini", std::ios::binary) << text;
  return dir / "config.ini";
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no InputError thrown";
  return "";
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

const char* kForward =
    "[workflow]\n"                        // 1
    "mode = forward\n"                    // 2
    "\n"                                  // 3
    "[Solver]\n"                          // 4
    "NT = 4800\n"                         // 5
    "dt = 0.06\n"                         // 6
    "  ; an indented comment\n"           // 7
    "# a comment\n"                       // 8
    "sh = yes\n"                          // 9
    "psv = No\n"                          // 10
    "abs_alpha = 1.5e-2\n"                // 11
    "title =   some words  \n"            // 12
    "threads: 512\n"                      // 13
    "\n"                                  // 14
    "[path]\n"                            // 15
    "output = output\n"                   // 16
    "model_init = model_init\n"           // 17
    "model_true = no\n"                   // 18
    "sources = /abs/sources.dat\n"        // 19
    "stations = ./in/../stations.dat\n";  // 20

TEST(IoConfig, ParsesValuesAndTypedGetters) {
  TempDir tmp;
  write_config(tmp.path / "forward", kForward);
  const Config cfg = load_config(tmp.path / "forward");  // a folder holding config.ini
  EXPECT_EQ(cfg.file, tmp.path / "forward" / "config.ini");
  EXPECT_EQ(cfg.dir, tmp.path / "forward");
  EXPECT_TRUE(cfg.has("solver", "nt"));
  EXPECT_TRUE(cfg.has("SOLVER", "Nt"));
  EXPECT_FALSE(cfg.has("solver", "nx"));
  EXPECT_EQ(cfg.sections.at("solver").at("nt").line, 5);
  EXPECT_EQ(cfg.get_int("solver", "nt", "the number of time steps"), 4800);
  EXPECT_DOUBLE_EQ(cfg.get_double("solver", "dt", "the time step"), 0.06);
  EXPECT_DOUBLE_EQ(cfg.get_double("solver", "abs_alpha", "x"), 0.015);
  EXPECT_DOUBLE_EQ(cfg.get_double("solver", "nt", "x"), 4800.0);
  EXPECT_EQ(cfg.get_string("solver", "title", "x"), "some words");
  EXPECT_EQ(cfg.get_int_or("solver", "threads", 0), 512);  // "key: value" is accepted like configparser
  EXPECT_EQ(cfg.get_int_or("solver", "nz", 7), 7);
  EXPECT_DOUBLE_EQ(cfg.get_double_or("solver", "f0", 2.5), 2.5);
  EXPECT_EQ(cfg.get_string_or("workflow", "mode", "x"), "forward");
  EXPECT_EQ(cfg.get_string_or("workflow", "inherit", "none"), "none");
  EXPECT_TRUE(cfg.get_bool_or("solver", "sh", false));
  EXPECT_FALSE(cfg.get_bool_or("solver", "psv", true));
  EXPECT_TRUE(cfg.get_bool_or("solver", "missing", true));
  EXPECT_EQ(cfg.get_path("output"), tmp.path / "forward" / "output");
  EXPECT_EQ(cfg.get_path("model_init"), tmp.path / "forward" / "model_init");
  EXPECT_EQ(cfg.get_path("model_true"), std::nullopt);  // "no" means none
  EXPECT_EQ(cfg.get_path("model_fake"), std::nullopt);
  EXPECT_EQ(cfg.get_path("sources"), fs::path("/abs/sources.dat"));
  EXPECT_EQ(cfg.get_path("stations"), tmp.path / "forward" / "stations.dat");
  EXPECT_TRUE(contains(cfg.where("solver", "dt"), "config.ini:6 [solver] dt = 0.06"));
  EXPECT_TRUE(contains(cfg.where("solver", "nope"), "[solver] nope (not set)"));
  EXPECT_TRUE(cfg.warnings.empty());
}

TEST(IoConfig, BoolWords) {
  TempDir tmp;
  write_config(tmp.path,
               "[s]\na = YES\nb = true\nc = On\nd = 1\ne = no\nf = False\ng = off\nh = 0\ni = maybe\n");
  const Config cfg = load_config(tmp.path / "config.ini");
  for (const char* k : {"a", "b", "c", "d"}) EXPECT_TRUE(cfg.get_bool_or("s", k, false)) << k;
  for (const char* k : {"e", "f", "g", "h"}) EXPECT_FALSE(cfg.get_bool_or("s", k, true)) << k;
  EXPECT_EQ(error_of([&] { cfg.get_bool_or("s", "i", false); }),
            (tmp.path / "config.ini").string() +
                ":10: [s] i = \"maybe\": expected yes/no, true/false, on/off or 1/0");
}

TEST(IoConfig, TypedGetterErrorsNameFileLineKeyAndValue) {
  TempDir tmp;
  const fs::path f =
      write_config(tmp.path, "[solver]\nnt = abc\ndt = nan\nf0 = 1.5x\nn2 = 10.0\nbig = 1e999\n");
  const Config cfg = load_config(f);
  const std::string file = f.string();
  EXPECT_EQ(error_of([&] { cfg.get_int("solver", "nt", "the number of time steps"); }),
            file + ":2: [solver] nt = \"abc\": expected an integer");
  EXPECT_EQ(error_of([&] { cfg.get_int_or("solver", "n2", 1); }),
            file + ":5: [solver] n2 = \"10.0\": expected an integer");
  EXPECT_EQ(error_of([&] { cfg.get_double("solver", "dt", "the time step"); }),
            file + ":3: [solver] dt = \"nan\": expected a finite number");
  EXPECT_EQ(error_of([&] { cfg.get_double_or("solver", "big", 1.0); }),
            file + ":6: [solver] big = \"1e999\": expected a finite number");
  EXPECT_EQ(error_of([&] { cfg.get_double_or("solver", "f0", 1.0); }),
            file + ":4: [solver] f0 = \"1.5x\": expected a number");
  EXPECT_EQ(error_of([&] { cfg.get_int("solver", "nx", "the grid size"); }),
            file + ": missing [solver] nx (the grid size)");
  EXPECT_EQ(error_of([&] { cfg.get_string("Model", "VS", "the shear velocity"); }),
            file + ": missing [model] vs (the shear velocity)");
}

TEST(IoConfig, SyntaxErrors) {
  TempDir tmp;
  auto err = [&](const std::string& text) {
    const fs::path f = write_config(tmp.path, text);
    return error_of([&] { load_config(f); });
  };
  const std::string file = (tmp.path / "config.ini").string();
  EXPECT_EQ(err("[solver]\nnt = 1\njust words\n"),
            file + ":3: \"just words\" is not a valid line; expected [section] or key = value");
  EXPECT_EQ(err("[solver\n"),
            file + ":1: \"[solver\" is not a valid line; expected [section] or key = value");
  EXPECT_EQ(err("[solver]\n = 5\n"),
            file + ":2: \"= 5\" is not a valid line; expected [section] or key = value");
  EXPECT_EQ(err("# header\nnt = 5\n[solver]\n"),
            file + ":2: key \"nt\" comes before any [section] header; expected [section] first");
  EXPECT_EQ(err("[solver]\nnt = 5\ndt = 1\nNT = 6\n"),
            file + ":4: duplicate key [solver] nt (first set at " + file + ":2)");
  EXPECT_EQ(err("[solver]\nnt = 5\n[path]\n[solver]\n"),
            file + ":4: duplicate section [solver] (first at " + file + ":1)");
  EXPECT_TRUE(contains(err("[workflow]\nadjoint_interval = 5\nadj_interval = 6\n"),
                       ":3: duplicate key [workflow] adjoint_interval (first set at " + file + ":2"));
}

TEST(IoConfig, PathErrors) {
  TempDir tmp;
  EXPECT_EQ(error_of([&] { load_config(tmp.path / "nowhere"); }),
            "config path " + (tmp.path / "nowhere").string() + " does not exist");
  fs::create_directories(tmp.path / "empty");
  EXPECT_EQ(error_of([&] { load_config(tmp.path / "empty"); }),
            "the folder " + (tmp.path / "empty").string() + " has no config.ini");
}

TEST(IoConfig, AdjIntervalIsStoredAsAdjointInterval) {
  TempDir tmp;
  const Config cfg = load_config(write_config(tmp.path, "[workflow]\nadj_interval = 8\n"));
  EXPECT_TRUE(cfg.has("workflow", "adjoint_interval"));
  EXPECT_FALSE(cfg.has("workflow", "adj_interval"));
  EXPECT_EQ(cfg.get_int("workflow", "adjoint_interval", "x"), 8);
}

TEST(IoConfig, InheritanceResolvesParentPathsIntoParentFolder) {
  TempDir tmp;
  write_config(tmp.path / "forward", kForward);
  write_config(tmp.path / "adjoint",
               "[workflow]\n"
               "mode = adjoint\n"
               "inherit = forward\n"
               "\n"
               "[solver]\n"
               "nt = 100\n"
               "save_gradient = yes\n"
               "\n"
               "[path]\n"
               "output = output\n");
  const Config cfg = load_config(tmp.path / "adjoint" / "config.ini");
  EXPECT_EQ(cfg.file, tmp.path / "adjoint" / "config.ini");
  EXPECT_EQ(cfg.dir, tmp.path / "adjoint");
  // The child's values win, key by key.
  EXPECT_EQ(cfg.get_string("workflow", "mode", "x"), "adjoint");
  EXPECT_EQ(cfg.get_int("solver", "nt", "x"), 100);
  EXPECT_EQ(cfg.sections.at("solver").at("nt").file, tmp.path / "adjoint" / "config.ini");
  EXPECT_TRUE(cfg.get_bool_or("solver", "save_gradient", false));
  // The parent's other keys are kept with their own origin.
  EXPECT_DOUBLE_EQ(cfg.get_double("solver", "dt", "x"), 0.06);
  EXPECT_EQ(cfg.sections.at("solver").at("dt").file, tmp.path / "forward" / "config.ini");
  EXPECT_EQ(cfg.sections.at("solver").at("dt").line, 6);
  EXPECT_TRUE(contains(cfg.where("solver", "dt"), "forward/config.ini:6 [solver] dt = 0.06"));
  EXPECT_TRUE(cfg.get_bool_or("solver", "sh", false));
  // [path]: the child's output is in the child's folder, the inherited model in the parent's.
  EXPECT_EQ(cfg.get_path("output"), tmp.path / "adjoint" / "output");
  EXPECT_EQ(cfg.get_path("model_init"), tmp.path / "forward" / "model_init");
  EXPECT_EQ(cfg.get_path("stations"), tmp.path / "forward" / "stations.dat");
  EXPECT_EQ(cfg.get_path("model_true"), std::nullopt);
  // An error in an inherited value names the parent's file and line.
  const Config bad =
      load_config(write_config(tmp.path / "child2", "[workflow]\ninherit = adjoint\n[solver]\ndt = fast\n"));
  EXPECT_EQ(bad.get_int("solver", "nt", "x"), 100);  // grandparent chain: child2 -> adjoint -> forward
  EXPECT_EQ(bad.get_path("model_init"), tmp.path / "forward" / "model_init");
  EXPECT_EQ(error_of([&] { bad.get_double("solver", "dt", "x"); }),
            (tmp.path / "child2" / "config.ini").string() + ":4: [solver] dt = \"fast\": expected a number");
}

TEST(IoConfig, InheritanceCycleAndMissingParent) {
  TempDir tmp;
  write_config(tmp.path / "a", "[workflow]\ninherit = b\n");
  write_config(tmp.path / "b", "[solver]\nnt = 1\n[workflow]\ninherit = a\n");
  const std::string msg = error_of([&] { load_config(tmp.path / "a"); });
  EXPECT_TRUE(contains(
      msg, (tmp.path / "b" / "config.ini").string() + ":4: [workflow] inherit = a: inheritance cycle"))
      << msg;
  EXPECT_TRUE(contains(msg, "a/config.ini -> ")) << msg;
  EXPECT_TRUE(contains(msg, "b/config.ini -> ")) << msg;

  write_config(tmp.path / "self", "[workflow]\ninherit = self\n");
  EXPECT_TRUE(contains(error_of([&] { load_config(tmp.path / "self"); }), "inheritance cycle"));

  write_config(tmp.path / "orphan", "[workflow]\ninherit = forward\n");
  EXPECT_EQ(error_of([&] { load_config(tmp.path / "orphan"); }),
            (tmp.path / "orphan" / "config.ini").string() +
                ":2: [workflow] inherit = forward: the parent config " +
                (tmp.path / "forward" / "config.ini").string() + " does not exist");
}

TEST(IoConfig, UnknownKeyWarnings) {
  TempDir tmp;
  const fs::path f =
      write_config(tmp.path, "[solver]\nnt = 5\nntt = 6\nfoo = 1\n\n[bogus]\nx = 1\n[Path]\noutput = out\n");
  Config cfg = load_config(f);
  warn_unknown_keys(cfg, {{"solver", {"nt", "dt"}}, {"path", {"output", "sources"}}, {"workflow", {"mode"}}});
  ASSERT_EQ(cfg.warnings.size(), 3u);
  const std::string file = f.string();
  EXPECT_EQ(cfg.warnings[0], file + ":6: unknown section [bogus] (ignored)");
  EXPECT_EQ(cfg.warnings[1], file + ":4: unknown key [solver] foo (ignored)");
  EXPECT_EQ(cfg.warnings[2], file + ":3: unknown key [solver] ntt (ignored); did you mean nt?");
}

}  // namespace
