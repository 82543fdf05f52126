// Calls generated kernels correctly and with each kind of wrong buffer; every
// call must return (never abort) and wrong ones must leave a message.
#include "attend.h"
#include "rownorm.h"

#include "HalideBuffer.h"

#include <cmath>
#include <cstdio>

using Halide::Runtime::Buffer;

static int report(const char *what, int rc) {
  std::printf("%s: rc=%d msg=%s\n", what, rc, rc ? attn_last_error() : "");
  attn_clear_error();
  return rc;
}

int main() {
  const int T = 5;
  Buffer<float> q(8, T, 2, 1), k(8, T, 2, 1), v(8, T, 2, 1), out(8, T, 2, 1);
  for (Buffer<float> *b : {&q, &k, &v})
    b->for_each_element([&](int d, int t, int h, int) {
      (*b)(d, t, h, 0) = 0.1f * d - 0.05f * t + h;
    });
  if (report("good", attend(q, k, v, out)) != 0)
    return 1;
  // Causal row 0 attends only to key 0: output row 0 equals v row 0.
  std::printf("row0 equals v0: %s\n",
              std::fabs(out(3, 0, 1, 0) - v(3, 0, 1, 0)) < 1e-6 ? "yes" : "no");

  Buffer<double> qd(8, T, 2, 1);
  report("wrong type", attend(qd, k, v, out));
  Buffer<float> q3(8, T, 2);
  report("wrong rank", attend(q3, k, v, out));
  Buffer<float> q7(7, T, 2, 1);
  report("wrong head size", attend(q7, k, v, out));
  Buffer<float> v4(8, T - 1, 2, 1);
  report("k and v lengths differ", attend(q, k, v4, out));
  Buffer<float> small(8, T - 2, 2, 1);
  report("output too small", attend(q, k, v, small));
  report("null buffer", attend(nullptr, k, v, out));

  // A second library in the same program shares the one runtime.
  Buffer<float> x(8, 3), y(8, 3);
  x.fill(2.0f);
  report("second library", rownorm(x, y));
  std::printf("rownorm(2) = %.4f\n", y(0, 0));
  return 0;
}
