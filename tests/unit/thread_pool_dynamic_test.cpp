// ThreadPool::parallel_for_dynamic (guided chunks): coverage, grain, take-over from a slow thread, nesting, many short jobs.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "base/thread_pool.h"

namespace edgerun {
namespace {

TEST(ThreadPoolDynamic, CoversEveryIndexExactlyOnceWithChunksOfAtLeastGrain) {
  for (int threads : {1, 2, 3, 4, 8}) {
    ThreadPool pool(threads);
    for (int64_t n : {int64_t{1}, int64_t{2}, int64_t{7}, int64_t{64}, int64_t{1000}, int64_t{10007}}) {
      for (int64_t grain : {int64_t{1}, int64_t{3}, int64_t{100}, int64_t{100000}}) {
        SCOPED_TRACE("threads " + std::to_string(threads) + " n " + std::to_string(n) + " grain " + std::to_string(grain));
        std::vector<std::atomic<int>> hits(static_cast<size_t>(n));
        std::atomic<int> short_chunks{0};
        pool.parallel_for_dynamic(n, grain, [&](int64_t b, int64_t e) {
          ASSERT_LE(0, b);
          ASSERT_LT(b, e);
          ASSERT_LE(e, n);
          if (e - b < grain) {
            ++short_chunks;
            EXPECT_EQ(e, n) << "only the last chunk may be shorter than grain";
          }
          for (int64_t i = b; i < e; ++i) ++hits[static_cast<size_t>(i)];
        });
        for (size_t i = 0; i < hits.size(); ++i) ASSERT_EQ(hits[i].load(), 1) << "index " << i;
        EXPECT_LE(short_chunks.load(), 1);
      }
    }
  }
}

// A worker that is slow on its first chunk must not hold the rest back: the caller (and the other
// workers) take the remaining, shrinking chunks.
TEST(ThreadPoolDynamic, OthersTakeOverFromASlowThread) {
  ThreadPool pool(2);
  const int64_t n = 1000;
  std::vector<std::atomic<int>> hits(static_cast<size_t>(n));
  std::atomic<int> calls{0};
  std::atomic<bool> slowed{false};
  pool.parallel_for_dynamic(n, 1, [&](int64_t b, int64_t e) {
    ++calls;
    if (!slowed.exchange(true)) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    for (int64_t i = b; i < e; ++i) ++hits[static_cast<size_t>(i)];
  });
  for (size_t i = 0; i < hits.size(); ++i) ASSERT_EQ(hits[i].load(), 1) << "index " << i;
  EXPECT_GT(calls.load(), 2);  // guided: more chunks than threads
}

TEST(ThreadPoolDynamic, NestedRunsInline) {
  ThreadPool pool(4);
  std::vector<std::atomic<int>> hits(16 * 50);
  pool.parallel_for_dynamic(16, 1, [&](int64_t b, int64_t e) {
    for (int64_t o = b; o < e; ++o)
      pool.parallel_for_dynamic(50, 1, [&](int64_t ib, int64_t ie) {
        for (int64_t i = ib; i < ie; ++i) ++hits[static_cast<size_t>(o * 50 + i)];
      });
  });
  for (size_t i = 0; i < hits.size(); ++i) ASSERT_EQ(hits[i].load(), 1) << "index " << i;
}

TEST(ThreadPoolDynamic, ManyShortJobsInARow) {
  ThreadPool pool(4);
  int64_t total = 0;
  for (int rep = 0; rep < 5000; ++rep) {
    std::atomic<int64_t> s{0};
    pool.parallel_for_dynamic(8 + rep % 5, 1, [&](int64_t b, int64_t e) { s += e - b; });
    total += s.load();
  }
  int64_t expect = 0;
  for (int rep = 0; rep < 5000; ++rep) expect += 8 + rep % 5;
  EXPECT_EQ(total, expect);
}

}  // namespace
}  // namespace edgerun
