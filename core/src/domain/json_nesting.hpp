// A bound on the nesting of JSON text, checked by a scan before any parser
// walks it: a recursive walk of a body nested 100,000 deep overflows the
// stack, and a tree of it costs gigabytes (issue 13, item 1).
#pragma once

#include <cstddef>
#include <string_view>

namespace clv {

// The deepest nesting of arrays and objects any request or scenario needs is
// about 6; this leaves room without letting a walk of the tree recurse far.
constexpr size_t kMaxJsonNesting = 64;

// Error::invalid_argument naming the byte offset where `text` nests arrays
// and objects deeper than `max_depth`. A scan, not a parse: strings and their
// escapes are skipped, everything else is left to the parser.
void check_json_nesting(std::string_view text, size_t max_depth = kMaxJsonNesting);

}  // namespace clv
