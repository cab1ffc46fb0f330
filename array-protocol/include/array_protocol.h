/*
 * array_protocol.h: the C side of array-protocol's DLPack exchange.
 *
 * Arrays cross the language boundary as DLPack 1.x DLManagedTensorVersioned (the definitions
 * below match dlpack.h 1.3; include either, not both). Rust exports say version 1.3 and always
 * carry strides; imports accept any 1.x and refuse another major version (calling only the
 * deleter). Ownership: whoever holds a
 * DLManagedTensorVersioned* calls its deleter exactly once, when done with it.
 *   - From Rust: array_protocol::dlpack::export / export_mut return a tensor the receiver owns.
 *   - To Rust:   array_protocol::dlpack::DLPackArray::from_raw takes ownership whatever the
 *                result, so the caller never calls the deleter after handing a tensor over:
 *                on success the array calls it once when dropped; on refusal (major version,
 *                invalid device, unsupported type, bad layout, NULL or wrapping data pointer) it
 *                has been called exactly once before from_raw returns the error. A tensor on a
 *                device the CPU cannot address (kDLCUDA, kDLROCM, ...) is accepted as a
 *                description whose memory is never read: viewing it is refused, handing it on
 *                (DLPackArray::into_export) keeps the data pointer and runs the deleter once.
 *   - FP6/FP4 (kDLFloat6_*, kDLFloat4_*) are packed unless DLPACK_FLAG_BITMASK_IS_SUBBYTE_TYPE_PADDED
 *     is set; Rust exports them padded (one element per byte) and says so.
 * Strides are in elements (NULL read as C order); data + byte_offset is the first element.
 */
#ifndef ARRAY_PROTOCOL_H
#define ARRAY_PROTOCOL_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* dlpack.h's own include guard and version macros: include dlpack.h (any 1.x) before or after
 * this header, or neither; whichever comes first defines the types. */
#ifndef DLPACK_DLPACK_H_
#define DLPACK_DLPACK_H_
#define DLPACK_MAJOR_VERSION 1
#define DLPACK_MINOR_VERSION 3
#define ARRAY_PROTOCOL_DEFINES_DLPACK 1

typedef enum {
  kDLCPU = 1, kDLCUDA = 2, kDLCUDAHost = 3, kDLOpenCL = 4, kDLVulkan = 7, kDLMetal = 8, kDLVPI = 9,
  kDLROCM = 10, kDLROCMHost = 11, kDLExtDev = 12, kDLCUDAManaged = 13, kDLOneAPI = 14,
  kDLWebGPU = 15, kDLHexagon = 16, kDLMAIA = 17, kDLTrn = 18
} DLDeviceType;

typedef struct {
  int32_t device_type; /* DLDeviceType */
  int32_t device_id;
} DLDevice;

typedef enum {
  kDLInt = 0, kDLUInt = 1, kDLFloat = 2, kDLOpaqueHandle = 3, kDLBfloat = 4, kDLComplex = 5, kDLBool = 6,
  kDLFloat8_e3m4 = 7, kDLFloat8_e4m3 = 8, kDLFloat8_e4m3b11fnuz = 9, kDLFloat8_e4m3fn = 10,
  kDLFloat8_e4m3fnuz = 11, kDLFloat8_e5m2 = 12, kDLFloat8_e5m2fnuz = 13, kDLFloat8_e8m0fnu = 14,
  kDLFloat6_e2m3fn = 15, kDLFloat6_e3m2fn = 16, kDLFloat4_e2m1fn = 17
} DLDataTypeCode;

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
  int64_t *strides; /* in elements; NULL (C order) accepted on import, never exported */
  uint64_t byte_offset;
} DLTensor;

typedef struct {
  uint32_t major;
  uint32_t minor;
} DLPackVersion;

#define DLPACK_FLAG_BITMASK_READ_ONLY (1UL << 0UL)
#define DLPACK_FLAG_BITMASK_IS_COPIED (1UL << 1UL)
#define DLPACK_FLAG_BITMASK_IS_SUBBYTE_TYPE_PADDED (1UL << 2UL)

typedef struct DLManagedTensorVersioned {
  DLPackVersion version;
  void *manager_ctx;
  void (*deleter)(struct DLManagedTensorVersioned *self);
  uint64_t flags;
  DLTensor dl_tensor;
} DLManagedTensorVersioned;
#endif /* DLPACK_DLPACK_H_ */

#if defined(ARRAY_PROTOCOL_DEFINES_DLPACK) || \
    (DLPACK_MAJOR_VERSION == 1 && DLPACK_MINOR_VERSION < 3)
/* DLPack 1.3's C exchange API: the table a Python tensor type publishes as its
 * __dlpack_c_exchange_api__ attribute, a PyCapsule named "dlpack_exchange_api" (RustArray and
 * DLPackTensor do). PyObject pointers are void * here, so this header needs no Python.h. The
 * functions that take or return Python objects are called with the GIL held; they return 0, or
 * -1 with a Python exception set. The allocator may be called without the GIL and reports
 * failures through SetError. */
typedef int (*DLPackManagedTensorAllocator)(DLTensor *prototype, DLManagedTensorVersioned **out,
                                            void *error_ctx,
                                            void (*SetError)(void *error_ctx, const char *kind,
                                                             const char *message));
typedef int (*DLPackManagedTensorFromPyObjectNoSync)(void *py_object,
                                                     DLManagedTensorVersioned **out);
typedef int (*DLPackDLTensorFromPyObjectNoSync)(void *py_object, DLTensor *out);
typedef int (*DLPackCurrentWorkStream)(DLDeviceType device_type, int32_t device_id,
                                       void **out_current_stream);
typedef int (*DLPackManagedTensorToPyObjectNoSync)(DLManagedTensorVersioned *tensor,
                                                   void **out_py_object);

typedef struct DLPackExchangeAPIHeader {
  DLPackVersion version;
  struct DLPackExchangeAPIHeader *prev_api;
} DLPackExchangeAPIHeader;

typedef struct DLPackExchangeAPI {
  DLPackExchangeAPIHeader header;
  DLPackManagedTensorAllocator managed_tensor_allocator;
  DLPackManagedTensorFromPyObjectNoSync managed_tensor_from_py_object_no_sync;
  DLPackManagedTensorToPyObjectNoSync managed_tensor_to_py_object_no_sync;
  DLPackDLTensorFromPyObjectNoSync dltensor_from_py_object_no_sync; /* may be NULL */
  DLPackCurrentWorkStream current_work_stream;
} DLPackExchangeAPI;
#endif /* the exchange API */

#ifdef __cplusplus
}
#endif

#endif /* ARRAY_PROTOCOL_H */
