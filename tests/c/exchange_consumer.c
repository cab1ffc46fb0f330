/* A C consumer of DLPack 1.3's exchange API, built by tests/python/test_exchange.py into a shared
 * library that Python loads with the GIL held: it takes tensors through a producer's table,
 * reads them with their strides, allocates through the table and hands tensors back to Python. */
#include <stddef.h>
#include <stdint.h>

#include "array_protocol.h"

/* The sum of a float64 tensor of any rank taken from `obj` through `api` (strides honoured, the
 * tensor deleted once); *status is 0, or -1 with a Python exception set by the producer, or -2
 * when the tensor is not float64 on the CPU. *flags receives the tensor's flags. */
double ap_c_sum(const DLPackExchangeAPI *api, void *obj, int *status, uint64_t *flags) {
  DLManagedTensorVersioned *t = NULL;
  *status = api->managed_tensor_from_py_object_no_sync(obj, &t);
  if (*status != 0) return 0.0;
  const DLTensor *d = &t->dl_tensor;
  *flags = t->flags;
  double sum = 0.0;
  if (d->device.device_type != kDLCPU || d->dtype.code != kDLFloat || d->dtype.bits != 64 ||
      d->dtype.lanes != 1 || d->ndim > 8) {
    *status = -2;
  } else {
    int64_t count = 1, index[8] = {0};
    for (int k = 0; k < d->ndim; k++) count *= d->shape[k];
    const char *base = (const char *)d->data + d->byte_offset;
    for (int64_t n = 0; n < count; n++) {
      int64_t offset = 0;
      for (int k = 0; k < d->ndim; k++) offset += index[k] * d->strides[k];
      sum += ((const double *)base)[offset];
      for (int k = d->ndim - 1; k >= 0; k--) { /* the next index in C order */
        if (++index[k] < d->shape[k]) break;
        index[k] = 0;
      }
    }
  }
  t->deleter(t);
  return sum;
}

static const char *last_kind = NULL;
static void set_error(void *ctx, const char *kind, const char *message) {
  (void)message;
  *(int *)ctx += 1;
  last_kind = kind;
}

/* A float64 vector of n elements allocated through the table, filled with 0, 1, 2, ... and
 * handed to Python as the producer's object (a new reference), or NULL with *errors counting
 * the allocator's SetError calls. */
void *ap_c_make(const DLPackExchangeAPI *api, int64_t n, int *errors) {
  int64_t shape[1] = {n};
  DLTensor prototype = {NULL, {kDLCPU, 0}, 1, {kDLFloat, 64, 1}, shape, NULL, 0};
  DLManagedTensorVersioned *t = NULL;
  if (api->managed_tensor_allocator(&prototype, &t, errors, set_error) != 0) return NULL;
  double *data = (double *)((char *)t->dl_tensor.data + t->dl_tensor.byte_offset);
  for (int64_t k = 0; k < n; k++) data[k * t->dl_tensor.strides[0]] = (double)k;
  void *obj = NULL;
  if (api->managed_tensor_to_py_object_no_sync(t, &obj) != 0) return NULL;
  return obj;
}
