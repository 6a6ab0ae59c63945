#include "math/hypergeometric.hpp"

namespace clv::math {

double log_hyp2f1_value(double a, double b, double c, double z) {
  return log_hyp2f1<double>(a, b, c, z);
}

}  // namespace clv::math
