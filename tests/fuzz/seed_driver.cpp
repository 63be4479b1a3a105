// Runs LLVMFuzzerTestOneInput without libFuzzer (GCC has none), so the fuzz
// target's seed corpus runs in every normal ASan/UBSan build as a CTest test:
//   email_fuzz_seeds DIR [MUTATIONS_PER_SEED]
// Every *.eml in DIR is fed as is, then as deterministic mutations (cuts,
// byte flips, spliced boundaries, duplicated slices) from a fixed-seed PRNG,
// so a run is bounded (seconds) and repeatable. Real coverage-guided fuzzing:
// see email_fuzz.cpp.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

void run(const std::string& input) {
  LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(input.data()), input.size());
}

std::string mutate(const std::string& seed, std::mt19937& rng) {
  std::string s = seed;
  if (s.empty()) return s;
  auto pick = [&](size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng); };
  switch (pick(6)) {
    case 0:  // cut anywhere: truncated mail, mid-base64, mid-character
      s.resize(pick(s.size()));
      break;
    case 1:  // flip a few bytes
      for (int i = 0; i < 8; ++i) s[pick(s.size())] = static_cast<char>(pick(256));
      break;
    case 2: {  // drop a slice
      size_t at = pick(s.size());
      s.erase(at, pick(s.size() - at) + 1);
      break;
    }
    case 3: {  // duplicate a slice (repeated boundaries and headers)
      size_t at = pick(s.size());
      std::string slice = s.substr(at, std::min<size_t>(pick(s.size() - at) + 1, 512));
      s.insert(pick(s.size()), slice);
      break;
    }
    case 4: {  // tokens that steer the MIME parser
      static const char* const tokens[] = {"\r\n--", "\r\n\r\n", "=?", "?=", "=?GBK?B?", "*0*=", "boundary=",
                                           "Content-Type: multipart/mixed; boundary=x\r\n", "\r\n--x\r\n", "=\r\n",
                                           "charset=", "<blockquote>", "\xD6", "\xFF\xFE"};
      s.insert(pick(s.size()), tokens[pick(std::size(tokens))]);
      break;
    }
    default:  // strip the line ends: one giant header line
      s.erase(std::remove(s.begin(), s.end(), '\n'), s.end());
      break;
  }
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR [MUTATIONS_PER_SEED]\n", argv[0]);
    return 2;
  }
  int mutations = argc > 2 ? std::atoi(argv[2]) : 200;
  std::vector<std::filesystem::path> seeds;
  for (const auto& e : std::filesystem::directory_iterator(argv[1]))
    if (e.path().extension() == ".eml") seeds.push_back(e.path());
  std::sort(seeds.begin(), seeds.end());
  if (seeds.empty()) {
    std::fprintf(stderr, "no .eml seeds in %s\n", argv[1]);
    return 1;
  }
  std::mt19937 rng(20240305);  // fixed: every run feeds the same inputs
  size_t runs = 0;
  for (const auto& path : seeds) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string seed = ss.str();
    run(seed);
    ++runs;
    for (int i = 0; i < mutations; ++i, ++runs) run(mutate(seed, rng));
  }
  std::printf("%zu seeds, %zu inputs, no findings\n", seeds.size(), runs);
  return 0;
}
