#include "ingest/content_hash.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

#include <fmt/format.h>
#include <boost/uuid/detail/sha1.hpp>

#include "clv/error.hpp"

namespace clv {

struct ContentHasher::State {
  boost::uuids::detail::sha1 sha1;
};

ContentHasher::ContentHasher() : state_(new State) {}
ContentHasher::~ContentHasher() {
  delete state_;
}

void ContentHasher::update(std::string_view bytes) {
  state_->sha1.process_bytes(bytes.data(), bytes.size());
}

std::string ContentHasher::hex_digest() {
  boost::uuids::detail::sha1::digest_type digest;
  state_->sha1.get_digest(digest);
  std::string hex;
  for (unsigned word : digest) hex += fmt::format("{:08x}", word);
  return hex;
}

std::string hash_file(const std::string& path) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"),
                                                       &std::fclose);
  if (!file) {
    if (errno == ENOENT)
      throw Error::not_found(fmt::format("cannot open '{}': no such file", path));
    throw Error::io(fmt::format("cannot open '{}': {}", path, std::strerror(errno)));
  }
  ContentHasher hasher;
  std::vector<char> buffer(1 << 20);
  for (;;) {
    const size_t got = std::fread(buffer.data(), 1, buffer.size(), file.get());
    if (got == 0) break;
    hasher.update({buffer.data(), got});
  }
  if (std::ferror(file.get())) {
    throw Error::io(fmt::format("read error in '{}': {}", path, std::strerror(errno)));
  }
  return hasher.hex_digest();
}

std::string hash_text(std::string_view text) {
  ContentHasher hasher;
  hasher.update(text);
  return hasher.hex_digest();
}

}  // namespace clv
