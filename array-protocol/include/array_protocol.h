/*
 * array_protocol.h: the C side of array-protocol's DLPack exchange.
 *
 * Arrays cross the language boundary as DLPack 1.x DLManagedTensorVersioned (the definitions
 * below match dlpack.h; include either, not both). Ownership: whoever holds a
 * DLManagedTensorVersioned* calls its deleter exactly once, when done with it.
 *   - From Rust: array_protocol::dlpack::export / export_mut return a tensor the receiver owns.
 *   - To Rust:   array_protocol::dlpack::DLPackArray::from_raw takes ownership whatever the
 *                result, so the caller never calls the deleter after handing a tensor over:
 *                on success the array calls it once when dropped; on refusal (non-CPU device,
 *                unsupported type, bad layout, NULL or wrapping data pointer) it has been called
 *                exactly once before from_raw returns the error.
 * Strides are in elements and may be NULL (C order); data + byte_offset is the first element.
 */
#ifndef ARRAY_PROTOCOL_H
#define ARRAY_PROTOCOL_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef DLPACK_VERSION_MAJOR
#define DLPACK_VERSION_MAJOR 1
#define DLPACK_VERSION_MINOR 1

typedef enum { kDLCPU = 1, kDLCUDA = 2, kDLCUDAHost = 3 } DLDeviceType;

typedef struct {
  int32_t device_type; /* DLDeviceType */
  int32_t device_id;
} DLDevice;

typedef enum { kDLInt = 0, kDLUInt = 1, kDLFloat = 2, kDLOpaqueHandle = 3, kDLBfloat = 4, kDLComplex = 5, kDLBool = 6 } DLDataTypeCode;

typedef struct {
  uint8_t code; /* DLDataTypeCode */
  uint8_t bits;
  uint16_t lanes;
} DLDataType;

typedef struct {
  void *data;
  DLDevice device;
  int32_t ndim;
  DLDataType dtype;
  int64_t *shape;
  int64_t *strides; /* in elements; NULL means C order */
  uint64_t byte_offset;
} DLTensor;

typedef struct {
  uint32_t major;
  uint32_t minor;
} DLPackVersion;

#define DLPACK_FLAG_BITMASK_READ_ONLY (1UL << 0UL)
#define DLPACK_FLAG_BITMASK_IS_COPIED (1UL << 1UL)

typedef struct DLManagedTensorVersioned {
  DLPackVersion version;
  void *manager_ctx;
  void (*deleter)(struct DLManagedTensorVersioned *self);
  uint64_t flags;
  DLTensor dl_tensor;
} DLManagedTensorVersioned;
#endif /* DLPACK_VERSION_MAJOR */

#ifdef __cplusplus
}
#endif

#endif /* ARRAY_PROTOCOL_H */
