package main

import (
	"os"
	"runtime"
)

// useMoreProcessorsThanCores gives the Go scheduler twice as many processors (Ps) as the
// cores it found, unless GOMAXPROCS is set. A node's writes are a chain of fsyncs, and a
// goroutine coming back from one needs a P: with one P per core it waits behind whatever
// holds them (HTTP handlers, event streams), which Go does not preempt for up to 10 ms.
// With spare Ps it runs at once and the kernel, which favours a thread that has been
// sleeping on the disk, shares out the cores. Measured in docs/benchmarks.md.
func useMoreProcessorsThanCores() {
	if os.Getenv("GOMAXPROCS") != "" {
		return
	}
	runtime.GOMAXPROCS(2 * runtime.GOMAXPROCS(0))
}
