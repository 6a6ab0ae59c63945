// The content hash that makes re-imports of files without ids a no-op must
// stay SHA-1 (hashes already stored in databases must still match): FIPS
// 180-2 test vectors, and a file hashed in chunks equals the text at once.
#include <string>

#include <gtest/gtest.h>

#include "import_test_support.hpp"
#include "ingest/content_hash.hpp"

namespace clv {
namespace {

TEST(ContentHash, IsSha1) {
  EXPECT_EQ(hash_text("abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_EQ(hash_text(""), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  EXPECT_EQ(hash_text("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
}

TEST(ContentHash, FileEqualsText) {
  std::string text;
  for (int i = 0; i < 300'000; ++i) {
    text += 'C';
    text += std::to_string(i);
    text += ",2024-01-01,1.00\n";
  }
  const std::string path = test::write_file("hash_me.csv", text);  // > one 1 MiB read
  EXPECT_EQ(hash_file(path), hash_text(text));
  std::string million_a(1'000'000, 'a');
  EXPECT_EQ(hash_text(million_a), "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
}

}  // namespace
}  // namespace clv
