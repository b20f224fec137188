// A fixed-size thread pool for data-parallel kernels. parallel_for runs fn over [0, n) in chunks
// that the pool's workers and the calling thread claim from a shared counter; it returns when every
// chunk is done. Safe to call from several threads at once (calls are serialised per pool; nested
// calls run inline).
//
// Two ways to cut [0, n):
// - parallel_for: at most num_threads chunks of equal size (at least `grain` items). For kernels
//   with a fixed cost per chunk.
// - parallel_for_dynamic: guided chunks: each claim takes 1/(2 * num_threads) of what is left, at
//   least `grain` items, so chunks shrink towards the end. A thread that starts late (a worker
//   still waking up) or is descheduled (a busy machine, a browser's own threads) leaves at most a
//   small chunk behind for the others to wait on. fn must not depend on how [0, n) is cut.
// In both, a chunk nobody has claimed yet is run by whoever asks first, the caller included: the
// caller never waits for a worker to start.
//
// Between jobs, workers spin before sleeping, so the many short parallel regions of one inference
// do not pay a wake-up each: 50 µs natively; in WebAssembly, where a sleeping worker is a Web Worker
// in Atomics.wait and waking it costs far more, up to 2 ms, shortened when spinning does not pay
// (the worker was descheduled, or no job came) and lengthened when it does (thread_pool.cpp). An
// idle pool sleeps. parallel_for only takes the sleep mutex when a worker is asleep.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace edgerun {

class ThreadPool {
 public:
  explicit ThreadPool(int num_threads);  // total threads including the caller; <= 1: inline
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int num_threads() const { return num_threads_; }
  // fn(begin, end) over [0, n) in at most num_threads chunks of at least `grain` items.
  void parallel_for(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn);
  // fn(begin, end) over [0, n) in guided chunks of at least `grain` items (the last one may be
  // shorter), as many as the claims need.
  void parallel_for_dynamic(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn);

 private:
  // One parallel_for call; lives on the caller's stack until no worker can still touch it.
  struct Job {
    const std::function<void(int64_t, int64_t)>* fn;
    int64_t n;
    int64_t chunk;    // static: the chunk size; guided: 0
    int64_t grain;    // guided: the smallest chunk
    int64_t divisor;  // guided: a claim takes what is left / divisor
    std::atomic<int64_t> next{0};       // first unclaimed item
    std::atomic<int64_t> remaining{0};  // items not finished yet
  };
  void run(int64_t n, int64_t chunk, int64_t grain, const std::function<void(int64_t, int64_t)>& fn);
  void worker_loop();
  static void run_chunks(Job& job);

  int num_threads_;
  std::vector<std::thread> workers_;
  std::mutex call_mutex_;  // one parallel_for at a time
  std::mutex mutex_;       // for sleeping/waking only
  std::condition_variable cv_work_;
  std::atomic<Job*> job_{nullptr};
  std::atomic<int> active_{0};    // workers that may be looking at job_
  std::atomic<int> sleepers_{0};  // workers in (or about to enter) cv_work_.wait
  std::atomic<uint64_t> generation_{0};
  std::atomic<bool> stop_{false};
};

// Runs fn over [0, n) on `pool` if non-null, else inline.
inline void parallel_for(ThreadPool* pool, int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn) {
  if (pool && pool->num_threads() > 1 && n > grain) pool->parallel_for(n, grain, fn);
  else if (n > 0) fn(0, n);
}

// The same with guided chunks (ThreadPool::parallel_for_dynamic).
inline void parallel_for_dynamic(ThreadPool* pool, int64_t n, int64_t grain,
                                 const std::function<void(int64_t, int64_t)>& fn) {
  if (pool && pool->num_threads() > 1 && n > grain) pool->parallel_for_dynamic(n, grain, fn);
  else if (n > 0) fn(0, n);
}

}  // namespace edgerun
