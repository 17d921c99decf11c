// mutexcontention has several goroutines contending on a sync.Mutex and a
// sync.RWMutex. It exists to exercise the mutex profile (contentions/count,
// delay/nanoseconds, attributed to the Unlock call site of the holder) and
// the block profile (sync.(*Mutex).Lock / RLock waits, at the waiter).
// Both SetMutexProfileFraction(1) and SetBlockProfileRate(1) are on.
package main

import (
	"runtime"
	"strconv"
	"sync"

	"godiag.test/workloads/internal/capture"
)

var sink uint64

//go:noinline
func spin(n int) uint64 {
	var x uint64 = 7
	for i := 0; i < n; i++ {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
	}
	return x
}

// counter: one hot Mutex around a map, long critical sections.
type counter struct {
	mu sync.Mutex
	m  map[string]int
}

//go:noinline
func (c *counter) incr(key string) {
	c.mu.Lock()
	c.m[key]++
	sink += spin(3000) // work done while holding the lock
	c.mu.Unlock()
}

// cache: RWMutex with many readers and a periodic writer.
type cache struct {
	mu   sync.RWMutex
	data map[int]string
}

//go:noinline
func (c *cache) get(k int) string {
	c.mu.RLock()
	v := c.data[k]
	sink += spin(500)
	c.mu.RUnlock()
	return v
}

//go:noinline
func (c *cache) refresh(gen int) {
	c.mu.Lock()
	for k := 0; k < 64; k++ {
		c.data[k] = strconv.Itoa(gen + k)
	}
	sink += spin(20000)
	c.mu.Unlock()
}

// sharded: 16 shard locks with short critical sections, for contrast with
// the single hot lock (many short waits instead of few long ones).
type sharded struct {
	shards [16]struct {
		mu sync.Mutex
		n  int
	}
}

//go:noinline
func (s *sharded) add(i int) {
	sh := &s.shards[i%len(s.shards)]
	sh.mu.Lock()
	sh.n++
	sink += spin(200)
	sh.mu.Unlock()
}

//go:noinline
func hotWorker(c *counter, id int, stop <-chan struct{}, wg *sync.WaitGroup) {
	defer wg.Done()
	key := "k" + strconv.Itoa(id%3)
	for {
		select {
		case <-stop:
			return
		default:
		}
		c.incr(key)
		sink += spin(1000) // a little work outside the lock
	}
}

//go:noinline
func reader(c *cache, stop <-chan struct{}, wg *sync.WaitGroup) {
	defer wg.Done()
	for i := 0; ; i++ {
		select {
		case <-stop:
			return
		default:
		}
		sink += uint64(len(c.get(i % 64)))
	}
}

//go:noinline
func writer(c *cache, stop <-chan struct{}, wg *sync.WaitGroup) {
	defer wg.Done()
	for gen := 0; ; gen++ {
		select {
		case <-stop:
			return
		default:
		}
		c.refresh(gen)
		runtime.Gosched()
	}
}

//go:noinline
func shardWorker(s *sharded, id int, stop <-chan struct{}, wg *sync.WaitGroup) {
	defer wg.Done()
	for i := id; ; i += 7 {
		select {
		case <-stop:
			return
		default:
		}
		s.add(i)
	}
}

func main() {
	runtime.SetMutexProfileFraction(1)
	runtime.SetBlockProfileRate(1)
	s := capture.Start()

	stop := make(chan struct{})
	var wg sync.WaitGroup

	c := &counter{m: make(map[string]int)}
	for i := 0; i < 6; i++ {
		wg.Add(1)
		go hotWorker(c, i, stop, &wg)
	}

	ch := &cache{data: make(map[int]string)}
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go reader(ch, stop, &wg)
	}
	wg.Add(1)
	go writer(ch, stop, &wg)

	sh := &sharded{}
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go shardWorker(sh, i, stop, &wg)
	}

	for s.Running() {
		runtime.Gosched()
		sink += spin(100)
	}
	close(stop)
	wg.Wait()

	s.Finish()
}
