/* A C program that consumes an array Rust exports and produces arrays Rust consumes, through
 * DLPack, checking that every deleter runs exactly once. Prints "N passed, M failed". */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "array_protocol.h"

DLManagedTensorVersioned *ap_export_matrix(int64_t rows, int64_t cols);
int64_t ap_exports_alive(void);
double ap_sum_f64(DLManagedTensorVersioned *tensor);
DLManagedTensorVersioned *ap_reexport(DLManagedTensorVersioned *tensor);

static int passed = 0, failed = 0;
#define CHECK(cond, what)                                   \
  do {                                                      \
    if (cond) {                                             \
      passed++;                                             \
    } else {                                                \
      failed++;                                             \
      fprintf(stderr, "FAILED: %s (line %d)\n", what, __LINE__); \
    }                                                       \
  } while (0)

static int c_deleter_calls = 0;
static void c_deleter(DLManagedTensorVersioned *self) {
  c_deleter_calls++;
  free(self->manager_ctx); /* the data buffer */
}

static int device_deleter_calls = 0;
static void device_deleter(DLManagedTensorVersioned *self) {
  (void)self;
  device_deleter_calls++;
}

static DLManagedTensorVersioned make_tensor(double *data, int64_t *shape, int64_t *strides, int ndim, uint64_t offset) {
  DLManagedTensorVersioned t;
  t.version.major = 1;
  t.version.minor = 1;
  t.manager_ctx = data;
  t.deleter = c_deleter;
  t.flags = 0;
  t.dl_tensor.data = data;
  t.dl_tensor.device.device_type = kDLCPU;
  t.dl_tensor.device.device_id = 0;
  t.dl_tensor.ndim = ndim;
  t.dl_tensor.dtype.code = kDLFloat;
  t.dl_tensor.dtype.bits = 64;
  t.dl_tensor.dtype.lanes = 1;
  t.dl_tensor.shape = shape;
  t.dl_tensor.strides = strides;
  t.dl_tensor.byte_offset = offset;
  return t;
}

int main(void) {
  /* Rust -> C: the transpose of a 3x4 matrix m[i][j] = 10 i + j, so t[a][b] = 10 b + a. */
  DLManagedTensorVersioned *t = ap_export_matrix(3, 4);
  CHECK(t != NULL, "export succeeds");
  CHECK(ap_exports_alive() == 1, "one export alive");
  DLTensor *x = &t->dl_tensor;
  CHECK(t->version.major == 1, "version 1.x");
  CHECK(x->device.device_type == kDLCPU, "CPU device");
  CHECK(x->ndim == 2 && x->shape[0] == 4 && x->shape[1] == 3, "shape 4x3");
  CHECK(x->strides != NULL && x->strides[0] == 1 && x->strides[1] == 4, "strides (1, 4) in elements");
  CHECK(x->dtype.code == kDLFloat && x->dtype.bits == 64 && x->dtype.lanes == 1, "float64");
  CHECK(t->flags & DLPACK_FLAG_BITMASK_READ_ONLY, "read-only");
  int ok = 1;
  for (int64_t a = 0; a < 4; a++) {
    for (int64_t b = 0; b < 3; b++) {
      const double *base = (const double *)((const char *)x->data + x->byte_offset);
      double v = base[a * x->strides[0] + b * x->strides[1]];
      if (v != (double)(10 * b + a)) ok = 0;
    }
  }
  CHECK(ok, "every element read through the strides");
  t->deleter(t);
  CHECK(ap_exports_alive() == 0, "the Rust owner freed by the deleter, once");

  /* C -> Rust: a C-order 2x3 tensor owned by C; Rust sums it and calls the deleter once. */
  double *data = malloc(6 * sizeof(double));
  for (int k = 0; k < 6; k++) data[k] = k + 0.5;
  int64_t shape[2] = {2, 3};
  DLManagedTensorVersioned mine = make_tensor(data, shape, NULL, 2, 0);
  double sum = ap_sum_f64(&mine);
  CHECK(sum == 18.0, "Rust sums the C tensor");
  CHECK(c_deleter_calls == 1, "deleter called once after a successful import");

  /* Negative strides and a byte offset: the reversed rows of a 2x3 array. */
  double *data2 = malloc(6 * sizeof(double));
  for (int k = 0; k < 6; k++) data2[k] = k;
  int64_t strides2[2] = {-3, 1};
  DLManagedTensorVersioned rev = make_tensor(data2, shape, strides2, 2, 3 * sizeof(double));
  CHECK(ap_sum_f64(&rev) == 15.0, "negative strides with a byte offset");
  CHECK(c_deleter_calls == 2, "deleter called once more");

  /* Refusals still hand the tensor back to its deleter, once. */
  double *data3 = malloc(6 * sizeof(double));
  DLManagedTensorVersioned gpu = make_tensor(data3, shape, NULL, 2, 0);
  gpu.dl_tensor.device.device_type = kDLCUDA;
  CHECK(isnan(ap_sum_f64(&gpu)), "a CUDA tensor is refused");
  CHECK(c_deleter_calls == 3, "deleter called once after a refusal");
  double *data4 = malloc(6 * sizeof(double));
  int64_t bad_shape[2] = {2, -3};
  DLManagedTensorVersioned neg = make_tensor(data4, bad_shape, NULL, 2, 0);
  CHECK(isnan(ap_sum_f64(&neg)), "a negative length is refused");
  CHECK(c_deleter_calls == 4, "deleter called once after a refusal");
  double *data5 = malloc(6 * sizeof(double));
  DLManagedTensorVersioned lanes = make_tensor(data5, shape, NULL, 2, 0);
  lanes.dl_tensor.dtype.lanes = 2;
  CHECK(isnan(ap_sum_f64(&lanes)), "vector lanes are refused");
  CHECK(c_deleter_calls == 5, "deleter called once after a refusal");

  /* Refused only by the final view validation (2^64 elements): the deleter, which frees the
   * data, still runs exactly once (a second call would be a double free). */
  double *data6 = malloc(sizeof(double));
  int64_t broadcast_shape[2] = {INT64_C(1) << 32, INT64_C(1) << 32};
  int64_t zero_strides[2] = {0, 0};
  DLManagedTensorVersioned broadcast = make_tensor(data6, broadcast_shape, zero_strides, 2, 0);
  CHECK(isnan(ap_sum_f64(&broadcast)), "2^64 broadcast elements are refused");
  CHECK(c_deleter_calls == 6, "deleter called once after a refusal by the view validation");

  /* A CUDA tensor over pages no one may read (PROT_NONE): Rust imports it as a description
   * and hands it on; the memory is never touched, the producer's deleter runs once. */
  size_t pages = 1 << 16;
  void *none = mmap(NULL, pages, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  CHECK(none != MAP_FAILED, "mmap PROT_NONE");
  int64_t dev_shape[2] = {16, 32};
  int64_t dev_strides[2] = {64, 2};
  DLManagedTensorVersioned dev = make_tensor((double *)none, dev_shape, dev_strides, 2, 256);
  dev.version.minor = 3;
  dev.deleter = device_deleter;
  dev.dl_tensor.device.device_type = kDLCUDA;
  dev.dl_tensor.device.device_id = 1;
  dev.dl_tensor.dtype.bits = 32;
  DLManagedTensorVersioned *handed = ap_reexport(&dev);
  CHECK(handed != NULL, "a CUDA tensor is re-exported");
  if (handed != NULL) {
    DLTensor *h = &handed->dl_tensor;
    CHECK(handed->version.major == 1 && handed->version.minor == 3, "re-export at 1.3");
    CHECK(h->data == none && h->byte_offset == 256, "same data pointer and offset");
    CHECK(h->device.device_type == kDLCUDA && h->device.device_id == 1, "same device");
    CHECK(h->ndim == 2 && h->shape[0] == 16 && h->shape[1] == 32, "same shape");
    CHECK(h->strides != NULL && h->strides[0] == 64 && h->strides[1] == 2, "same strides");
    CHECK(h->dtype.code == kDLFloat && h->dtype.bits == 32, "same data type");
    CHECK(device_deleter_calls == 0, "the producer's deleter not yet called");
    handed->deleter(handed);
  }
  CHECK(device_deleter_calls == 1, "the producer's deleter called once through the re-export");
  DLManagedTensorVersioned bad = make_tensor((double *)none, dev_shape, dev_strides, 2, 0);
  bad.deleter = device_deleter;
  bad.dl_tensor.device.device_type = kDLCUDA;
  bad.dl_tensor.device.device_id = -1;
  CHECK(ap_reexport(&bad) == NULL, "a negative device id is refused");
  CHECK(device_deleter_calls == 2, "deleter called once after a refusal");
  munmap(none, pages);

  printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
