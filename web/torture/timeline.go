package torture

import (
	"fmt"
	"strings"
	"sync"
	"time"
)

// timeline is the fault history of a run, for the report and the failure artifacts.
type timeline struct {
	start time.Time

	mu      sync.Mutex
	entries []string
}

func newTimeline(start time.Time) *timeline { return &timeline{start: start} }

func (t *timeline) add(format string, args ...any) {
	line := fmt.Sprintf("%9.3fs  ", time.Since(t.start).Seconds()) + fmt.Sprintf(format, args...)
	t.mu.Lock()
	t.entries = append(t.entries, line)
	t.mu.Unlock()
}

func (t *timeline) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return strings.Join(t.entries, "\n") + "\n"
}
