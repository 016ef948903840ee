/*
 * The thread pool of runtime/threadpool.h: a fixed set of workers that wait for one job at a time.
 *
 * A job is (fn, context, n, chunk size). The caller publishes it under the job mutex, wakes the workers, and
 * takes chunks itself. The items are cut into one contiguous share per thread (the caller's first, then worker 1's,
 * ...), each cut into chunks: each thread takes the chunks of its own share first, in order, then helps with the
 * others' from their fronts, so a thread that is late or lost its core delays nobody. Why shares and not one counter
 * for all: with the same share of every job, consecutive layers give each thread the same images (or the same rows
 * of one image), so what a thread reads is what it wrote a moment before, still in its own core's caches. On this project's 2-core
 * machine a 256 KB activation written by the other core reads 3.8x slower than one written by the same core (9.7
 * against 2.6 us), and with a single counter chunks fall to whichever thread asks first. Measured 2026-12-02, 2
 * threads, p50 alternating, shares / one counter: MobileNetV2 batch 8 26.6 / 28.4 ms, ten 1x1 convolutions 384 <->
 * 64 at 14x14, batch 8, 2.91 / 3.44 ms.
 *
 * The same cost rules how ops may split an output: never so that both threads write parts of one cache line over
 * and over. A line written by one core and then the other moves between them each time (a round trip of ~0.5 us
 * here). Ten 1x1 convolutions 384 <-> 64 at 8x8, batch 1, split by positions within every channel row: 402 us
 * where the rows start mid-line (one line shared per row), 167 us where they start on a line (one thread: 169-191).
 * Split by output channels, a job shares one line in all.
 *
 * A worker joins a job only while it is open, counted in `active` (both under the mutex); once the caller has run
 * out of chunks it closes the job and waits for `active` to drop to zero, so no worker touches a job's fields after
 * its caller returned. Workers wait for the next job generation: a short spin, then the condition variable.
 */
#include "runtime/threadpool.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#if defined(__x86_64__)
#include <immintrin.h>
#define CNN4J_CPU_RELAX() _mm_pause()
#elif defined(__aarch64__)
#define CNN4J_CPU_RELAX() __asm__ __volatile__("yield")
#else
#define CNN4J_CPU_RELAX() ((void)0)
#endif

namespace cnn4j {
namespace {

/* set_thread_alone's flag. */
thread_local bool thread_alone = false;

class Pool {
  public:
    ~Pool() { stop_workers(); }

    void set_threads(int threads) {
        std::lock_guard<std::mutex> region(region_);  // not while a job runs
        threads = std::min(kMaxShares, std::max(1, threads));
        if (threads == threads_) return;
        stop_workers();
        threads_ = threads;
    }

    int threads() const { return threads_; }

    void run(int64_t n, int64_t grain, int max_slots, RangeFn fn, void* context) {
        if (n <= 0) return;
        grain = std::max<int64_t>(1, grain);
        // This thread told to run alone, one thread, one chunk, or the pool busy with another caller's job: run
        // here, now.
        if (thread_alone || threads_ == 1 || max_slots <= 1 || n <= grain) {
            fn(context, 0, 0, n);
            return;
        }
        std::unique_lock<std::mutex> region(region_, std::try_to_lock);
        if (!region.owns_lock()) {
            fn(context, 0, 0, n);
            return;
        }
        // Share t is items [t * n / shares, (t + 1) * n / shares): an op whose items are images (or bands) in
        // order hands each thread whole ones. A share holds at least `grain` items; about four chunks per share
        // balance a core lost to another process against the per-chunk cost.
        const int shares = static_cast<int>(std::min<int64_t>(threads_, n / grain));
        if (shares <= 1) {
            fn(context, 0, 0, n);
            return;
        }
        start_workers();
        const int64_t chunk = std::max(grain, ((n + shares - 1) / shares + 3) / 4);
        {
            std::lock_guard<std::mutex> lock(job_mutex_);
            fn_ = fn;
            context_ = context;
            n_ = n;
            chunk_ = chunk;
            max_slots_ = max_slots;
            slots_taken_ = 1;  // slot 0 is the caller's
            shares_ = shares;
            for (int t = 0; t < shares; t++) {
                shares_next_[t].value.store(t * n / shares, std::memory_order_relaxed);
                shares_end_[t] = (t + 1) * n / shares;
            }
            open_ = true;
            generation_.fetch_add(1, std::memory_order_release);
        }
        job_ready_.notify_all();
        work(0, 0);
        {
            std::lock_guard<std::mutex> lock(job_mutex_);
            open_ = false;
        }
        // A worker still finishing its chunk may have lost its core to another process: after a short spin,
        // yield so it can get one back instead of competing with this thread's spinning.
        for (int spins = 0; active_.load(std::memory_order_acquire) > 0; spins++) {
            if (spins < 1000) {
                CNN4J_CPU_RELAX();
            } else {
                std::this_thread::yield();
            }
        }
    }

  private:
    /* Takes chunks of the current job until none is left: its own share's first (a worker numbered past the job's
       shares has none), then the other shares'. */
    void work(int share, int slot) {
        for (int s = 0; s < shares_; s++) {
            const int t = (share + s) % shares_;
            for (;;) {
                const int64_t begin = shares_next_[t].value.fetch_add(chunk_, std::memory_order_relaxed);
                if (begin >= shares_end_[t]) break;
                fn_(context_, slot, begin, std::min(shares_end_[t], begin + chunk_));
            }
        }
    }

    void worker_loop(int share) {
        uint64_t seen = generation_.load(std::memory_order_acquire);
        int slot = 0;
        for (;;) {
            // Spin a little: back-to-back layers hand out jobs microseconds apart.
            for (int i = 0; i < 2000 && generation_.load(std::memory_order_acquire) == seen && !stopping_; i++) {
                CNN4J_CPU_RELAX();
            }
            {
                std::unique_lock<std::mutex> lock(job_mutex_);
                job_ready_.wait(lock, [&] { return stopping_ || generation_.load(std::memory_order_acquire) != seen; });
                if (stopping_) return;
                seen = generation_.load(std::memory_order_acquire);
                if (!open_ || slots_taken_ >= max_slots_) continue;  // finished, or enough threads on it
                slot = slots_taken_++;
                active_.fetch_add(1, std::memory_order_relaxed);
            }
            work(share, slot);
            active_.fetch_sub(1, std::memory_order_release);
        }
    }

    void start_workers() {
        if (!workers_.empty() || threads_ <= 1) return;
        stopping_ = false;
        for (int i = 1; i < threads_; i++) workers_.emplace_back([this, i] { worker_loop(i); });
    }

    void stop_workers() {
        {
            std::lock_guard<std::mutex> lock(job_mutex_);
            stopping_ = true;
        }
        job_ready_.notify_all();
        for (std::thread& t : workers_) t.join();
        workers_.clear();
    }

    std::mutex region_;  // held by the caller whose job runs
    std::mutex job_mutex_;
    std::condition_variable job_ready_;
    std::vector<std::thread> workers_;
    // Read without the locks (pool_threads() from any thread, the workers' spin), so atomic.
    std::atomic<int> threads_{1};
    std::atomic<bool> stopping_{false};
    std::atomic<uint64_t> generation_{0};
    RangeFn fn_ = nullptr;
    void* context_ = nullptr;
    int64_t n_ = 0;
    int64_t chunk_ = 1;
    bool open_ = false;
    int max_slots_ = 1;
    int slots_taken_ = 1;
    // Per share: its next item (each on a cache line of its own, as each thread takes from its own) and its end.
    struct alignas(64) NextChunk {
        std::atomic<int64_t> value{0};
    };
    static constexpr int kMaxShares = 256;
    int shares_ = 1;
    NextChunk shares_next_[kMaxShares];
    int64_t shares_end_[kMaxShares] = {};
    std::atomic<int> active_{0};
};

Pool& pool() {
    static Pool* instance = new Pool();  // never destroyed: workers may outlive static destructors at JVM exit
    return *instance;
}

}  // namespace

void set_pool_threads(int threads) { pool().set_threads(threads); }

void set_thread_alone(bool alone) { thread_alone = alone; }

int pool_threads() { return thread_alone ? 1 : pool().threads(); }

void parallel_for_range(int64_t n, int64_t grain, int max_slots, RangeFn fn, void* context) {
    pool().run(n, grain, max_slots, fn, context);
}

}  // namespace cnn4j
