package torture

import (
	"os"
	"testing"

	"github.com/raftplay/raftplay/web/clustertest"
)

// TestMain fails the package if its tests leave a goroutine running.
func TestMain(m *testing.M) {
	os.Exit(clustertest.RunChecked(m))
}
