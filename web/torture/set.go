package torture

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sort"
	"sync"

	"github.com/raftplay/raftplay/node/wire"
)

// setSchema is created before the workloads start.
const setSchema = "CREATE TABLE IF NOT EXISTS s (n int PRIMARY KEY)"

// setLog is what the set workload attempted and what it was told.
type setLog struct {
	mu       sync.Mutex
	attempts map[int64]outcome
}

func newSetLog() *setLog { return &setLog{attempts: map[int64]outcome{}} }

func (l *setLog) note(n int64, o outcome) {
	l.mu.Lock()
	l.attempts[n] = o
	l.mu.Unlock()
}

// setWorker inserts unique integers (worker id * 1e9 + a counter) through random nodes.
type setWorker struct {
	id    int
	rng   *rand.Rand
	cl    *client
	nodes func(*rand.Rand) string
	log   *setLog
}

func (w *setWorker) run(ctx context.Context) {
	for i := int64(1); ctx.Err() == nil; i++ {
		n := int64(w.id)*1_000_000_000 + i
		a := w.cl.do(ctx, "POST", w.nodes(w.rng)+"/v1/sql", wire.SQLRequest{SQL: fmt.Sprintf("INSERT INTO s VALUES (%d)", n)})
		w.log.note(n, a.outcome())
	}
}

// checkSet compares the final contents of the set with what was attempted: every
// acknowledged insert must be there, and nothing that was never attempted or certainly failed.
func (l *setLog) check(found []int64, rep *Report) {
	l.mu.Lock()
	defer l.mu.Unlock()
	have := map[int64]bool{}
	for _, n := range found {
		have[n] = true
	}
	var lost, phantom, refused []int64
	for n, o := range l.attempts {
		switch {
		case o == applied && !have[n]:
			lost = append(lost, n)
		case o == failed && have[n]:
			refused = append(refused, n)
		}
		if o == applied {
			rep.SetAdds++
		}
	}
	for n := range have {
		if _, ok := l.attempts[n]; !ok {
			phantom = append(phantom, n)
		}
	}
	sortInts := func(s []int64) []int64 { sort.Slice(s, func(i, j int) bool { return s[i] < s[j] }); return s }
	rep.LostWrites += len(lost)
	if len(lost) > 0 {
		rep.violation("set: %d acknowledged inserts lost: %v", len(lost), head(sortInts(lost)))
	}
	if len(phantom) > 0 {
		rep.violation("set: %d elements never inserted: %v", len(phantom), head(sortInts(phantom)))
	}
	if len(refused) > 0 {
		rep.violation("set: %d inserts answered as certainly not applied are present: %v", len(refused), head(sortInts(refused)))
	}
}

func head(s []int64) []int64 { return s[:min(len(s), 20)] }

// readSet reads the whole set at linearizable consistency.
func readSet(ctx context.Context, cl *client, base string) ([]int64, error) {
	a := cl.do(ctx, "POST", base+"/v1/sql", wire.SQLRequest{SQL: "SELECT n FROM s", Consistency: wire.ConsistencyLinearizable})
	if a.err != nil || a.status != http.StatusOK {
		return nil, fmt.Errorf("read the set: %v", a)
	}
	var resp wire.SQLResponse
	if err := json.Unmarshal(a.body, &resp); err != nil || len(resp.Results) != 1 {
		return nil, fmt.Errorf("read the set: %v (%s)", err, a.body)
	}
	out := make([]int64, 0, len(resp.Results[0].Rows))
	for _, row := range resp.Results[0].Rows {
		v, ok := row[0].(float64)
		if !ok {
			return nil, fmt.Errorf("set row %v", row)
		}
		out = append(out, int64(v))
	}
	return out, nil
}
