#include "base/thread_pool.h"

#include <algorithm>
#include <chrono>

#if defined(__EMSCRIPTEN__)
#include <sched.h>
#endif

namespace edgerun {

namespace {
thread_local bool t_in_pool = false;

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield" ::: "memory");
#else
  // WebAssembly has no pause instruction, and std::this_thread::yield() is no yield there (it
  // processes the thread's queued calls): a compiler barrier only.
  std::atomic_signal_fence(std::memory_order_seq_cst);
#endif
}

// Spin-waits until pred() holds. In WebAssembly, now and then lets the thread run the calls other
// threads queued for it (the browser's main thread may be the caller).
template <class Pred>
inline void spin_until(Pred pred) {
  for (uint32_t i = 1; !pred(); ++i) {
    cpu_relax();
#if defined(__EMSCRIPTEN__)
    if ((i & 1023) == 0) sched_yield();
#endif
  }
}

// How long a worker spins for the next job before it sleeps. Natively a wake-up costs a few µs and
// 50 µs covers the gaps inside one inference. In WebAssembly a sleeping worker is a Web Worker in
// Atomics.wait and waking it costs far more (MobileNetV2 with 2 threads in Chromium: ~17 ms with
// 50 µs, ~12 ms with 2 ms), so workers spin up to 2 ms, across the gaps between inferences too.
// But a spinning worker takes a core its caller, or anyone else, may need: on a busy machine
// (more runnable threads than cores) long spins made the same run ~2x slower. So the spin adapts:
// a worker that finds itself descheduled while spinning (a gap of kPreempted between two looks at
// the clock) goes to sleep at once and falls back to the short spin; a spin that ends without a
// job halves the next one (a caller that is itself descheduled leaves long gaps); each job that
// arrives while it spins lengthens its spin by 1/16 of the long one.
constexpr auto kSpinShort = std::chrono::microseconds(50);
#if defined(__EMSCRIPTEN__)
constexpr auto kSpinLong = std::chrono::microseconds(2000);
#else
constexpr auto kSpinLong = std::chrono::microseconds(50);
#endif
constexpr auto kSpinStep = kSpinLong / 16;
constexpr auto kPreempted = std::chrono::microseconds(200);
}  // namespace

ThreadPool::ThreadPool(int num_threads) : num_threads_(std::max(1, num_threads)) {
#if defined(__EMSCRIPTEN__) && !defined(__EMSCRIPTEN_PTHREADS__)
  num_threads_ = 1;  // wasm without pthreads: std::thread cannot start, the caller does all the work
#endif
  for (int i = 1; i < num_threads_; ++i) workers_.emplace_back([this] { worker_loop(); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_.store(true);
  }
  cv_work_.notify_all();
  for (auto& w : workers_) w.join();
}

void ThreadPool::run_chunks(Job& job) {
  const int64_t n = job.n;
  for (;;) {
    int64_t b, e;
    if (job.chunk > 0) {  // static: equal chunks
      b = job.next.fetch_add(job.chunk, std::memory_order_relaxed);
      if (b >= n) return;
      e = std::min(n, b + job.chunk);
    } else {  // guided: a share of what is left
      b = job.next.load(std::memory_order_relaxed);
      do {
        if (b >= n) return;
        e = std::min(n, b + std::max(job.grain, (n - b) / job.divisor));
      } while (!job.next.compare_exchange_weak(b, e, std::memory_order_relaxed));
    }
    (*job.fn)(b, e);
    // release: this chunk's writes happen before the caller sees remaining reach 0
    job.remaining.fetch_sub(e - b, std::memory_order_release);
  }
}

void ThreadPool::worker_loop() {
  t_in_pool = true;
  uint64_t seen = 0;
  std::chrono::steady_clock::duration spin = kSpinLong;
  for (;;) {
    // Spin for the next job a while (see kSpinLong), then sleep.
    using clock = std::chrono::steady_clock;
    auto last = clock::now();
    const auto spin_until_time = last + spin;
    uint64_t gen = generation_.load(std::memory_order_acquire);
    while (gen == seen && !stop_.load(std::memory_order_relaxed)) {
      for (int i = 0; i < 64; ++i) cpu_relax();
      gen = generation_.load(std::memory_order_acquire);
      if (gen != seen) {
        spin = std::min<clock::duration>(kSpinLong, spin + kSpinStep);  // the spin paid off
        break;
      }
      const auto now = clock::now();
      if (now - last >= kPreempted) {  // descheduled: the cores are busy, do not spin
        spin = kSpinShort;
        break;
      }
      if (now >= spin_until_time) {  // in vain: spin half as long next time
        spin = std::max<clock::duration>(kSpinShort, spin / 2);
        break;
      }
      last = now;
    }
    if (gen == seen && !stop_.load()) {
      std::unique_lock<std::mutex> lock(mutex_);
      // Announce the sleep before the last look at generation_ (both seq_cst): parallel_for bumps
      // generation_ then reads sleepers_, so either it sees us here and notifies under the mutex,
      // or we see its new generation and do not sleep.
      sleepers_.fetch_add(1, std::memory_order_seq_cst);
      cv_work_.wait(lock, [&] { return stop_.load() || generation_.load(std::memory_order_seq_cst) != seen; });
      sleepers_.fetch_sub(1, std::memory_order_relaxed);
      gen = generation_.load(std::memory_order_acquire);
    }
    if (stop_.load()) return;
    seen = gen;
    // Register before looking at the job (both seq_cst), so the caller, which clears job_ and then
    // waits for active_ to drop to 0, keeps the job alive while we might use it.
    active_.fetch_add(1, std::memory_order_seq_cst);
    if (Job* job = job_.load(std::memory_order_seq_cst)) run_chunks(*job);
    active_.fetch_sub(1, std::memory_order_release);
  }
}

void ThreadPool::run(int64_t n, int64_t chunk, int64_t grain, const std::function<void(int64_t, int64_t)>& fn) {
  std::lock_guard<std::mutex> call_lock(call_mutex_);
  t_in_pool = true;
  Job job;
  job.fn = &fn;
  job.n = n;
  job.chunk = chunk;
  job.grain = grain;
  job.divisor = 2 * static_cast<int64_t>(num_threads_);
  job.remaining.store(n, std::memory_order_relaxed);
  job_.store(&job, std::memory_order_seq_cst);
  generation_.fetch_add(1, std::memory_order_seq_cst);
  if (sleepers_.load(std::memory_order_seq_cst) > 0) {
    // Taking the mutex orders this wake after a sleeper's check of generation_ (it holds the mutex
    // from announcing itself until it waits).
    { std::lock_guard<std::mutex> lock(mutex_); }
    cv_work_.notify_all();
  }
  run_chunks(job);
  // Every chunk finished (acquire: their writes are visible to the caller from here on).
  spin_until([&] { return job.remaining.load(std::memory_order_acquire) == 0; });
  job_.store(nullptr, std::memory_order_seq_cst);
  spin_until([&] { return active_.load(std::memory_order_seq_cst) == 0; });  // nobody still holds &job
  t_in_pool = false;
}

void ThreadPool::parallel_for(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn) {
  if (n <= 0) return;
  grain = std::max<int64_t>(1, grain);
  const int64_t max_chunks = std::min<int64_t>(num_threads_, (n + grain - 1) / grain);
  if (max_chunks <= 1 || t_in_pool) {
    fn(0, n);
    return;
  }
  run(n, (n + max_chunks - 1) / max_chunks, grain, fn);
}

void ThreadPool::parallel_for_dynamic(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn) {
  if (n <= 0) return;
  grain = std::max<int64_t>(1, grain);
  if (n <= grain || num_threads_ <= 1 || t_in_pool) {
    fn(0, n);
    return;
  }
  run(n, 0, grain, fn);
}

}  // namespace edgerun
