// A connected TCP socket as a Boost.Beast synchronous stream. Beast parses and
// serializes the HTTP; this does the I/O with one recv per read and one
// sendmsg (headers and body together) per write (cpp-httplib, used before,
// made eleven system calls and sent two segments per request). Plain blocking calls, so the
// kernel's SO_RCVTIMEO/SO_SNDTIMEO time them out (asio's sync sockets wait forever).
#pragma once

#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstddef>

#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/system/system_error.hpp>

namespace clv {

class SocketStream {
 public:
  explicit SocketStream(int fd) : fd_(fd) {}
  int fd() const { return fd_; }

  // Reads after `deadline` fail with timed_out (checked after each recv; the
  // kernel's SO_RCVTIMEO bounds the wait of one recv).
  void set_deadline(std::chrono::steady_clock::time_point deadline) { deadline_ = deadline; }

  template <typename MutableBufferSequence>
  size_t read_some(const MutableBufferSequence& buffers, boost::beast::error_code& ec) {
    ec = {};
    for (auto it = boost::asio::buffer_sequence_begin(buffers);
         it != boost::asio::buffer_sequence_end(buffers); ++it) {
      const boost::asio::mutable_buffer b = *it;
      if (b.size() == 0) continue;
      for (;;) {
        const ssize_t n = ::recv(fd_, b.data(), b.size(), 0);
        if (n > 0 && std::chrono::steady_clock::now() > deadline_) {
          ec = boost::asio::error::timed_out;
          return 0;
        }
        if (n > 0) return static_cast<size_t>(n);
        if (n == 0) {
          ec = boost::asio::error::eof;  // Beast: end_of_stream between requests
          return 0;
        }
        if (errno == EINTR) continue;
        ec = errno == EAGAIN || errno == EWOULDBLOCK
                 ? boost::beast::error_code(boost::asio::error::timed_out)
                 : boost::beast::error_code(errno, boost::system::system_category());
        return 0;
      }
    }
    return 0;
  }

  template <typename ConstBufferSequence>
  size_t write_some(const ConstBufferSequence& buffers, boost::beast::error_code& ec) {
    ec = {};
    constexpr int kMaxPieces = 16;
    iovec pieces[kMaxPieces];
    int count = 0;
    for (auto it = boost::asio::buffer_sequence_begin(buffers);
         it != boost::asio::buffer_sequence_end(buffers) && count < kMaxPieces; ++it) {
      const boost::asio::const_buffer b = *it;
      if (b.size() == 0) continue;
      pieces[count++] = {const_cast<void*>(b.data()), b.size()};
    }
    if (count == 0) return 0;
    msghdr message{};
    message.msg_iov = pieces;
    message.msg_iovlen = static_cast<size_t>(count);
    for (;;) {
      const ssize_t n = ::sendmsg(fd_, &message, MSG_NOSIGNAL);
      if (n >= 0) return static_cast<size_t>(n);
      if (errno == EINTR) continue;
      ec = errno == EAGAIN || errno == EWOULDBLOCK
               ? boost::beast::error_code(boost::asio::error::timed_out)
               : boost::beast::error_code(errno, boost::system::system_category());
      return 0;
    }
  }

  // The throwing forms Beast's stream concepts ask for.
  template <typename MutableBufferSequence>
  size_t read_some(const MutableBufferSequence& buffers) {
    boost::beast::error_code ec;
    const size_t n = read_some(buffers, ec);
    if (ec) throw boost::system::system_error(ec);
    return n;
  }
  template <typename ConstBufferSequence>
  size_t write_some(const ConstBufferSequence& buffers) {
    boost::beast::error_code ec;
    const size_t n = write_some(buffers, ec);
    if (ec) throw boost::system::system_error(ec);
    return n;
  }

 private:
  int fd_;
  std::chrono::steady_clock::time_point deadline_ = std::chrono::steady_clock::time_point::max();
};

}  // namespace clv
