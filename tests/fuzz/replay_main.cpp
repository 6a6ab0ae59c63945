// A main for the fuzz targets in builds without libFuzzer (gcc, the release
// and ASan/UBSan CI configurations): each seed file is run as is and then as
// a fixed set of deterministic mutations (truncations, byte flips and the
// bytes parsers trip on), so every target's parser is exercised under the
// sanitizers on every CI run. Long coverage-guided runs stay with the clang
// build (docs/fuzzing.md).
//   TARGET_replay [--mutations N] FILE...
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

void run(const std::string& input) {
  LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(input.data()), input.size());
}

// Bytes that end fields, quotes, numbers and encodings.
constexpr char kTricky[] = {',', '"', '\n', '\r', '\0', '\xff', '\xc3', '-', '9', '.',
                            'e', ' ', '{',  '[',  ']',  '}',    ':',    '=', '#'};

std::string mutate(const std::string& seed, std::mt19937_64& rng) {
  std::string s = seed;
  const int edits = 1 + static_cast<int>(rng() % 4);
  for (int e = 0; e < edits && !s.empty(); ++e) {
    const size_t at = rng() % s.size();
    switch (rng() % 5) {
      case 0:
        s.resize(at);
        break;  // truncate
      case 1:
        s[at] = static_cast<char>(s[at] ^ (1u << (rng() % 8)));
        break;  // flip a bit
      case 2:
        s[at] = kTricky[rng() % sizeof kTricky];
        break;  // replace
      case 3:
        s.insert(at, 1, kTricky[rng() % sizeof kTricky]);
        break;  // insert
      default:
        s.insert(at, s.substr(at, rng() % 64));
        break;  // duplicate a run
    }
  }
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  int mutations = 256;
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--mutations") == 0 && i + 1 < argc) {
      mutations = std::atoi(argv[++i]);
    } else {
      files.emplace_back(argv[i]);
    }
  }
  if (files.empty()) {
    std::fprintf(stderr, "usage: %s [--mutations N] FILE...\n", argv[0]);
    return 2;
  }
  std::mt19937_64 rng(20261205);  // fixed: a failure reproduces
  size_t runs = 0;
  for (const std::string& file : files) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
      std::fprintf(stderr, "cannot read seed %s\n", file.c_str());
      return 2;
    }
    const std::string seed{std::istreambuf_iterator<char>(in), {}};
    run(seed);
    ++runs;
    for (int m = 0; m < mutations; ++m, ++runs) run(mutate(seed, rng));
  }
  std::printf("%zu inputs from %zu seeds ran without a sanitizer finding\n", runs, files.size());
  return 0;
}
