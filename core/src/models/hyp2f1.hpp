// Gauss hypergeometric function 2F1(a, b; c; z) for real z < 1, evaluated in
// log space so that the huge values of BG/NBD terms with x in the thousands
// neither overflow nor lose precision. (The models area keeps its own small
// evaluator; core/src/math may later offer a shared one.)
#pragma once

namespace clv {

struct LogValue {
  double log_abs;  // log |value|
  int sign;        // +1, -1, or 0 for an exact zero
  double value() const;
};

// Throws Error::invalid_argument for z >= 1 or c a non-positive integer, and
// Error::internal if the series fails to converge (never returns NaN).
LogValue log_hyp2f1(double a, double b, double c, double z);

}  // namespace clv
