// Command-line habits: --version, times as people read them, typo suggestions, no empty output folder
// after a failed run, and help that lists every output.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "app/duration.hpp"
#include "support/case_writer.hpp"

namespace seiswg {
namespace {

namespace fs = std::filesystem;

using seiswg::test::contains;

using seiswg::test::replace;

class CliHabits : public test::FreshFolderTest {};

TEST(CliDuration, ReadsLikeAPersonWouldWriteIt) {
  EXPECT_EQ(app::duration_text(0), "0.00 s");
  EXPECT_EQ(app::duration_text(2.351), "2.35 s");
  EXPECT_EQ(app::duration_text(9.999), "10.0 s");
  EXPECT_EQ(app::duration_text(12.34), "12.3 s");
  EXPECT_EQ(app::duration_text(59.97), "1 min 0 s");
  EXPECT_EQ(app::duration_text(90), "1 min 30 s");
  EXPECT_EQ(app::duration_text(389.969), "6 min 30 s");
  EXPECT_EQ(app::duration_text(3599.6), "1 h 0 min");
  EXPECT_EQ(app::duration_text(7265), "2 h 1 min");
  EXPECT_EQ(app::duration_text(-1), "0.00 s");
}

TEST_F(CliHabits, VersionNamesVersionCommitDawnAndAdapter) {
  const auto r = test::run_cli({"--version"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "seiswg 0.")) << r.output;
  EXPECT_TRUE(contains(r.output, "(commit ")) << r.output;  // the tests build in a git checkout
  EXPECT_TRUE(contains(r.output, "npm bun-webgpu-linux-x64@0.1.7")) << r.output;
  EXPECT_TRUE(contains(r.output, "adapter: ")) << r.output;
}

TEST_F(CliHabits, SummaryTimesAreReadable) {
  const fs::path dir = test::write_case(root / "case", {});
  const auto r = test::run_cli({"run", dir.string()});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(contains(r.output, ", wall ")) << r.output;
  EXPECT_TRUE(r.output.find(" s (time loop ") != std::string::npos) << r.output;
}

TEST_F(CliHabits, SwappedLettersSuggestTheKeyMeant) {
  test::CaseSpec spec;
  // Without absorbing sides abs_width is optional: the typo only warns.
  std::string config = test::default_config();
  for (const char* side : {"abs_left", "abs_right", "abs_bottom"})
    config = replace(config, std::string(side) + " = yes", std::string(side) + " = no");
  spec.config = replace(config, "abs_width = 8", "abs_widht = 8");
  const fs::path dir = test::write_case(root / "case", spec);
  const auto r = test::run_cli({"run", dir.string()});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "unknown key [solver] abs_widht (ignored); did you mean abs_width?"))
      << r.output;
  EXPECT_FALSE(contains(r.output, "abs_right?")) << r.output;
}

TEST_F(CliHabits, TypoOfARequiredKeyComesWithTheError) {
  test::CaseSpec spec;
  spec.config = replace(test::default_config(), "abs_width = 8", "abs_widht = 8");
  const fs::path dir = test::write_case(root / "case", spec);
  const auto r = test::run_cli({"run", dir.string()});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_TRUE(contains(r.output, "missing [solver] abs_width")) << r.output;
  EXPECT_TRUE(contains(r.output, "did you mean abs_width?")) << r.output;
  EXPECT_FALSE(fs::exists(dir / "output")) << r.output;
}

TEST_F(CliHabits, FailedRunsLeaveNoOutputFolder) {
  // Unstable after snapshots were written (and removed again).
  test::CaseSpec unstable;
  unstable.sources = "375.0 225.0 0 4.0 0.25 0.0 3.0e38\n";
  unstable.config =
      replace(test::default_config(true, false, 200, 0.005, 10), "save_images = no", "save_images = yes");
  const fs::path a = test::write_case(root / "unstable", unstable);
  const auto ra = test::run_cli({"run", a.string()});
  EXPECT_EQ(ra.exit_code, 1) << ra.output;
  EXPECT_FALSE(fs::exists(a / "output")) << ra.output;
  // Traces too large for one buffer: found when the run starts.
  test::CaseSpec large;
  large.config = replace(test::default_config(true, false, 2000000000), "output = output\n",
                         "output = deep/er/output\n");
  const fs::path b = test::write_case(root / "large", large);
  const auto rb = test::run_cli({"run", b.string()});
  EXPECT_GE(rb.exit_code, 1) << rb.output;
  EXPECT_FALSE(fs::exists(b / "output")) << rb.output;
  EXPECT_FALSE(fs::exists(b / "deep")) << rb.output;
  // An adapter that does not exist.
  const fs::path c = test::write_case(root / "adapter", {});
  const auto rc = test::run_cli({"run", c.string(), "--adapter", "nosuchgpu"});
  EXPECT_EQ(rc.exit_code, 3) << rc.output;
  EXPECT_FALSE(fs::exists(c / "output")) << rc.output;
}

TEST_F(CliHabits, AFolderThatExistedStays) {
  const fs::path dir = test::write_case(root / "case", {});
  fs::create_directories(dir / "output");
  const auto r = test::run_cli({"run", dir.string(), "--adapter", "nosuchgpu"});
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_TRUE(fs::is_directory(dir / "output")) << r.output;
}

TEST_F(CliHabits, RunHelpListsEveryOutputOfEveryMode) {
  const auto r = test::run_cli({"run", "--help"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const std::string part :
       {"forward", "u{y,x,z}_NNNNNN.npy", "_NNNNNN.su", ".sgy", "trace_format", "procNNNNNN_v{y,x,z}.bin",
        "proc000000_{x,z}.bin", "adjoint", "misfit.txt", "kernels/proc000000_k<name>.bin",
        "<output>/proc000000_k<name>.bin", "[solver] smooth", "inversion", "iter_NNNN/", "misfit.csv",
        "inversion_state.bin", "save_images = no"})
    EXPECT_TRUE(contains(r.output, part)) << "expected \"" << part << "\" in:\n" << r.output;
  const auto top = test::run_cli({"--help"});
  EXPECT_TRUE(contains(top.output, "seiswg check CONFIG")) << top.output;
  EXPECT_TRUE(contains(top.output, "--version")) << top.output;
}

}  // namespace
}  // namespace seiswg
