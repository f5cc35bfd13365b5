package netfault

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package if any goroutine outlives the tests: the wrapper starts
// goroutines per transport and per pipeline, and all of them must stop on Close.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
