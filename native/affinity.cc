// Thin Node binding of the Linux placement syscalls. Values in, plain values out; a refused call
// throws an Error carrying `errno` (number) and `syscall`, and src/native/ turns that into a
// sentence. All validation and policy lives in TypeScript; this file only marshals.
#include <napi.h>

#include <cerrno>
#include <cstdint>
#include <vector>

#ifdef __linux__
#include <linux/mempolicy.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#endif

namespace {

#ifdef __linux__

Napi::Value ThrowErrno(Napi::Env env, const char* syscall, int err) {
  Napi::Error e = Napi::Error::New(env, syscall);
  e.Set("errno", Napi::Number::New(env, err));
  e.Set("syscall", Napi::String::New(env, syscall));
  e.ThrowAsJavaScriptException();
  return env.Undefined();
}

// The kernel's mask size is unknown up front (NR_CPUS / MAX_NUMNODES); these calls refuse a mask
// that is too small with EINVAL, so reads grow the buffer until it fits, up to this many bits.
constexpr size_t kMaxMaskBits = 1 << 16;
constexpr size_t kWordBits = 8 * sizeof(unsigned long);

std::vector<unsigned long> MaskFromIds(const Napi::Array& ids) {
  uint32_t highest = 0;
  for (uint32_t i = 0; i < ids.Length(); i++) {
    uint32_t id = ids.Get(i).As<Napi::Number>().Uint32Value();
    if (id > highest) highest = id;
  }
  std::vector<unsigned long> mask(highest / kWordBits + 1, 0);
  for (uint32_t i = 0; i < ids.Length(); i++) {
    uint32_t id = ids.Get(i).As<Napi::Number>().Uint32Value();
    mask[id / kWordBits] |= 1UL << (id % kWordBits);
  }
  return mask;
}

Napi::Array IdsFromMask(Napi::Env env, const unsigned long* words, size_t nwords) {
  Napi::Array out = Napi::Array::New(env);
  uint32_t n = 0;
  for (size_t w = 0; w < nwords; w++) {
    for (size_t b = 0; b < kWordBits; b++) {
      if (words[w] & (1UL << b)) out.Set(n++, Napi::Number::New(env, double(w * kWordBits + b)));
    }
  }
  return out;
}

// getAffinity(tid) -> number[]
Napi::Value GetAffinity(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  pid_t tid = info[0].As<Napi::Number>().Int32Value();
  for (size_t bits = 1024; bits <= kMaxMaskBits; bits *= 2) {
    std::vector<unsigned long> mask(bits / kWordBits, 0);
    if (sched_getaffinity(tid, mask.size() * sizeof(unsigned long),
                          reinterpret_cast<cpu_set_t*>(mask.data())) == 0) {
      return IdsFromMask(env, mask.data(), mask.size());
    }
    if (errno != EINVAL) return ThrowErrno(env, "sched_getaffinity", errno);
  }
  return ThrowErrno(env, "sched_getaffinity", EINVAL);
}

// setAffinity(tid, cpus[])
Napi::Value SetAffinity(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  pid_t tid = info[0].As<Napi::Number>().Int32Value();
  std::vector<unsigned long> mask = MaskFromIds(info[1].As<Napi::Array>());
  if (sched_setaffinity(tid, mask.size() * sizeof(unsigned long),
                        reinterpret_cast<cpu_set_t*>(mask.data())) != 0) {
    return ThrowErrno(env, "sched_setaffinity", errno);
  }
  return env.Undefined();
}

// getMemPolicy(flags) -> { mode, nodes }; flags = MPOL_F_MEMS_ALLOWED gives the allowed nodes.
Napi::Value GetMemPolicy(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  unsigned long flags = info[0].As<Napi::Number>().Uint32Value();
  for (size_t bits = 1024; bits <= kMaxMaskBits; bits *= 2) {
    std::vector<unsigned long> mask(bits / kWordBits, 0);
    int mode = 0;
    if (syscall(SYS_get_mempolicy, &mode, mask.data(), bits, nullptr, flags) == 0) {
      Napi::Object out = Napi::Object::New(env);
      out.Set("mode", Napi::Number::New(env, mode));
      out.Set("nodes", IdsFromMask(env, mask.data(), mask.size()));
      return out;
    }
    if (errno != EINVAL) return ThrowErrno(env, "get_mempolicy", errno);
  }
  return ThrowErrno(env, "get_mempolicy", EINVAL);
}

// setMemPolicy(mode, nodes[]); mode may carry MPOL_F_* flags, as getMemPolicy returns it.
Napi::Value SetMemPolicy(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int mode = info[0].As<Napi::Number>().Int32Value();
  Napi::Array nodes = info[1].As<Napi::Array>();
  long rc;
  if (nodes.Length() == 0) {
    rc = syscall(SYS_set_mempolicy, mode, nullptr, 0UL);
  } else {
    std::vector<unsigned long> mask = MaskFromIds(nodes);
    // maxnode counts bits, and the kernel reads one bit fewer than it is given.
    rc = syscall(SYS_set_mempolicy, mode, mask.data(), mask.size() * kWordBits + 1);
  }
  if (rc != 0) return ThrowErrno(env, "set_mempolicy", errno);
  return env.Undefined();
}

// getCpu() -> { cpu, node }; the raw syscall, since glibc only wraps it from 2.29.
Napi::Value GetCpu(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  unsigned cpu = 0, node = 0;
  if (syscall(SYS_getcpu, &cpu, &node, nullptr) != 0) return ThrowErrno(env, "getcpu", errno);
  Napi::Object out = Napi::Object::New(env);
  out.Set("cpu", Napi::Number::New(env, cpu));
  out.Set("node", Napi::Number::New(env, node));
  return out;
}

// pageNodes(view) -> number[]: move_pages with nodes = NULL only reports where each page lives.
Napi::Value PageNodes(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Uint8Array view = info[0].As<Napi::Uint8Array>();
  Napi::ArrayBuffer buffer = view.ArrayBuffer();
  uintptr_t start = reinterpret_cast<uintptr_t>(buffer.Data()) + view.ByteOffset();
  uintptr_t end = start + view.ByteLength();
  uintptr_t page = uintptr_t(sysconf(_SC_PAGESIZE));
  std::vector<void*> pages;
  for (uintptr_t p = start & ~(page - 1); p < end; p += page) pages.push_back(reinterpret_cast<void*>(p));
  std::vector<int> status(pages.size(), 0);
  if (!pages.empty() &&
      syscall(SYS_move_pages, 0, pages.size(), pages.data(), nullptr, status.data(), 0) != 0) {
    return ThrowErrno(env, "move_pages", errno);
  }
  Napi::Array out = Napi::Array::New(env, status.size());
  for (size_t i = 0; i < status.size(); i++) out.Set(uint32_t(i), Napi::Number::New(env, status[i]));
  return out;
}

Napi::Value GetTid(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), double(syscall(SYS_gettid)));
}

// Shared memory of one open-loop trial: the counters through which its worker processes take
// requests from one arrival stream. A memfd has no name to clean up, and it is passed to the
// workers as an inherited descriptor, so it lives exactly as long as the processes that map it.

void Unmap(Napi::Env, void* data, size_t* length) {
  munmap(data, *length);
  delete length;
}

Napi::Value MapFd(Napi::Env env, int fd, size_t bytes) {
  void* data = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (data == MAP_FAILED) return ThrowErrno(env, "mmap", errno);
  return Napi::ArrayBuffer::New(env, data, bytes, Unmap, new size_t(bytes));
}

// createSharedMemory(bytes) -> { fd, buffer }: zero-filled, close-on-exec (spawn dup2s it into a
// child's stdio slot, which clears the flag there only).
Napi::Value CreateSharedMemory(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  size_t bytes = size_t(info[0].As<Napi::Number>().Int64Value());
  int fd = int(syscall(SYS_memfd_create, "autotune-serving", 1U /* MFD_CLOEXEC */));
  if (fd < 0) return ThrowErrno(env, "memfd_create", errno);
  if (ftruncate(fd, off_t(bytes)) != 0) {
    int err = errno;
    close(fd);
    return ThrowErrno(env, "ftruncate", err);
  }
  Napi::Value buffer = MapFd(env, fd, bytes);
  if (env.IsExceptionPending()) {
    close(fd);
    return env.Undefined();
  }
  Napi::Object out = Napi::Object::New(env);
  out.Set("fd", Napi::Number::New(env, fd));
  out.Set("buffer", buffer);
  return out;
}

// mapSharedMemory(fd, bytes) -> ArrayBuffer over memory another process created.
Napi::Value MapSharedMemory(const Napi::CallbackInfo& info) {
  return MapFd(info.Env(), info[0].As<Napi::Number>().Int32Value(), size_t(info[1].As<Napi::Number>().Int64Value()));
}

// The counters are 64-bit slots; values cross to JS as doubles, exact below 2^53.
int64_t* Slot(const Napi::CallbackInfo& info) {
  Napi::ArrayBuffer buffer = info[0].As<Napi::ArrayBuffer>();
  return static_cast<int64_t*>(buffer.Data()) + info[1].As<Napi::Number>().Int64Value();
}

// atomicAdd(buffer, slot, delta) -> the value before the addition
Napi::Value AtomicAdd(const Napi::CallbackInfo& info) {
  int64_t delta = info[2].As<Napi::Number>().Int64Value();
  return Napi::Number::New(info.Env(), double(__atomic_fetch_add(Slot(info), delta, __ATOMIC_SEQ_CST)));
}

// atomicCompareExchange(buffer, slot, expected, desired) -> whether the slot held `expected`
Napi::Value AtomicCompareExchange(const Napi::CallbackInfo& info) {
  int64_t expected = info[2].As<Napi::Number>().Int64Value();
  int64_t desired = info[3].As<Napi::Number>().Int64Value();
  bool swapped = __atomic_compare_exchange_n(Slot(info), &expected, desired, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
  return Napi::Boolean::New(info.Env(), swapped);
}

Napi::Value AtomicLoad(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), double(__atomic_load_n(Slot(info), __ATOMIC_SEQ_CST)));
}

Napi::Value AtomicStore(const Napi::CallbackInfo& info) {
  __atomic_store_n(Slot(info), info[2].As<Napi::Number>().Int64Value(), __ATOMIC_SEQ_CST);
  return info.Env().Undefined();
}

// sleepUntil(ns: bigint): blocks the calling thread until CLOCK_MONOTONIC (the clock of
// process.hrtime) reaches ns, with the kernel's hrtimer precision rather than the event loop's ms.
Napi::Value SleepUntil(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  bool lossless = false;
  uint64_t ns = info[0].As<Napi::BigInt>().Uint64Value(&lossless);
  struct timespec until = {time_t(ns / 1000000000ULL), long(ns % 1000000000ULL)};
  int rc;
  while ((rc = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, nullptr)) == EINTR) {
  }
  if (rc != 0) return ThrowErrno(env, "clock_nanosleep", rc);
  return env.Undefined();
}

// setTimerSlack(ns): how late the kernel may wake this thread from a timed sleep (default 50 us).
Napi::Value SetTimerSlack(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  unsigned long ns = static_cast<unsigned long>(info[0].As<Napi::Number>().Int64Value());
  if (prctl(PR_SET_TIMERSLACK, ns, 0, 0, 0) != 0) return ThrowErrno(env, "prctl", errno);
  return env.Undefined();
}

#endif  // __linux__

Napi::Object Init(Napi::Env env, Napi::Object exports) {
#ifdef __linux__
  exports.Set("supported", Napi::Boolean::New(env, true));
  Napi::Object mpol = Napi::Object::New(env);
  mpol.Set("default", Napi::Number::New(env, MPOL_DEFAULT));
  mpol.Set("preferred", Napi::Number::New(env, MPOL_PREFERRED));
  mpol.Set("bind", Napi::Number::New(env, MPOL_BIND));
  mpol.Set("interleave", Napi::Number::New(env, MPOL_INTERLEAVE));
  mpol.Set("local", Napi::Number::New(env, MPOL_LOCAL));
  exports.Set("mpol", mpol);
  exports.Set("mpolFlagsMemsAllowed", Napi::Number::New(env, MPOL_F_MEMS_ALLOWED));
  exports.Set("getAffinity", Napi::Function::New(env, GetAffinity));
  exports.Set("setAffinity", Napi::Function::New(env, SetAffinity));
  exports.Set("getMemPolicy", Napi::Function::New(env, GetMemPolicy));
  exports.Set("setMemPolicy", Napi::Function::New(env, SetMemPolicy));
  exports.Set("getCpu", Napi::Function::New(env, GetCpu));
  exports.Set("pageNodes", Napi::Function::New(env, PageNodes));
  exports.Set("gettid", Napi::Function::New(env, GetTid));
  exports.Set("createSharedMemory", Napi::Function::New(env, CreateSharedMemory));
  exports.Set("mapSharedMemory", Napi::Function::New(env, MapSharedMemory));
  exports.Set("atomicAdd", Napi::Function::New(env, AtomicAdd));
  exports.Set("atomicCompareExchange", Napi::Function::New(env, AtomicCompareExchange));
  exports.Set("atomicLoad", Napi::Function::New(env, AtomicLoad));
  exports.Set("atomicStore", Napi::Function::New(env, AtomicStore));
  exports.Set("sleepUntil", Napi::Function::New(env, SleepUntil));
  exports.Set("setTimerSlack", Napi::Function::New(env, SetTimerSlack));
#else
  exports.Set("supported", Napi::Boolean::New(env, false));
#endif
  return exports;
}

}  // namespace

NODE_API_MODULE(affinity, Init)
