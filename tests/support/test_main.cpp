// Test entry point shared by every test executable. ctest runs tests in
// parallel processes; each gets its own scratch directory (TEST_TMPDIR, which
// testing::TempDir() returns) so tests never trip over each other's files.
#include <cstdlib>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

int main(int argc, char** argv) {
  std::string base = "/tmp";
  if (const char* t = std::getenv("TMPDIR"); t != nullptr && *t != '\0') base = t;
  std::string pattern = base + "/clv-test-XXXXXX";
  const char* dir = mkdtemp(pattern.data());
  if (dir != nullptr) setenv("TEST_TMPDIR", dir, 1);
  testing::InitGoogleTest(&argc, argv);
  const int rc = RUN_ALL_TESTS();
  if (dir != nullptr && std::getenv("CLV_KEEP_TEST_TMP") == nullptr) {
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
  }
  return rc;
}
