package torture

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"

	"github.com/raftplay/raftplay/node/wire"
)

const (
	accounts   = 5
	openingBal = 100
	bankTotal  = accounts * openingBal
)

// bankSchema creates the accounts; it can run again without changing anything.
func bankSchema() string {
	var vals []string
	for i := 1; i <= accounts; i++ {
		vals = append(vals, fmt.Sprintf("(%d, %d)", i, openingBal))
	}
	return "CREATE TABLE IF NOT EXISTS acct (id int PRIMARY KEY, bal int NOT NULL); INSERT INTO acct VALUES " +
		strings.Join(vals, ", ") + " ON CONFLICT DO NOTHING"
}

// bankLog counts what the bank workload saw.
type bankLog struct {
	mu        sync.Mutex
	reads     int
	transfers int
	wrong     []string // totals that were not bankTotal
}

// bankWorker alternates transfers (two UPDATEs in one request, so one raft entry) with
// linearizable reads of the total.
type bankWorker struct {
	rng   *rand.Rand
	cl    *client
	nodes func(*rand.Rand) string
	log   *bankLog
}

func (w *bankWorker) run(ctx context.Context) {
	for ctx.Err() == nil {
		base := w.nodes(w.rng)
		if w.rng.IntN(2) == 0 {
			from := 1 + w.rng.IntN(accounts)
			to := 1 + (from+w.rng.IntN(accounts-1))%accounts
			amt := 1 + w.rng.IntN(5)
			sql := fmt.Sprintf("UPDATE acct SET bal = bal - %d WHERE id = %d; UPDATE acct SET bal = bal + %d WHERE id = %d", amt, from, amt, to)
			if a := w.cl.do(ctx, "POST", base+"/v1/sql", wire.SQLRequest{SQL: sql}); a.outcome() == applied {
				w.log.mu.Lock()
				w.log.transfers++
				w.log.mu.Unlock()
			}
			continue
		}
		total, err := readTotal(ctx, w.cl, base)
		if err != nil {
			continue
		}
		w.log.mu.Lock()
		w.log.reads++
		if total != bankTotal {
			w.log.wrong = append(w.log.wrong, fmt.Sprintf("%s: %d", base, total))
		}
		w.log.mu.Unlock()
	}
}

func (l *bankLog) check(rep *Report) {
	l.mu.Lock()
	defer l.mu.Unlock()
	rep.BankReads, rep.Transfers = l.reads, l.transfers
	if len(l.wrong) > 0 {
		rep.violation("bank: %d reads of the total were not %d: %v", len(l.wrong), bankTotal, l.wrong[:min(len(l.wrong), 10)])
	}
}

// readTotal reads the sum of the balances at linearizable consistency.
func readTotal(ctx context.Context, cl *client, base string) (int64, error) {
	a := cl.do(ctx, "POST", base+"/v1/sql", wire.SQLRequest{SQL: "SELECT sum(bal) FROM acct", Consistency: wire.ConsistencyLinearizable})
	if a.err != nil || a.status != http.StatusOK {
		return 0, fmt.Errorf("read the total: %v", a)
	}
	var resp wire.SQLResponse
	if err := json.Unmarshal(a.body, &resp); err != nil || len(resp.Results) != 1 || len(resp.Results[0].Rows) != 1 {
		return 0, fmt.Errorf("read the total: %v (%s)", err, a.body)
	}
	switch v := resp.Results[0].Rows[0][0].(type) {
	case float64:
		return int64(v), nil
	case string: // sum may come back as numeric text
		var n int64
		_, err := fmt.Sscan(v, &n)
		return n, err
	}
	return 0, fmt.Errorf("total %v", resp.Results[0].Rows[0])
}
