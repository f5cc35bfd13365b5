package sql

import (
	"fmt"
	"strings"
	"testing"
)

// BenchmarkNumericSum10k sums and averages a numeric column of 10,000 rows with two
// decimal places, the everyday money query: the cost of exact decimals over the scan.
// It is plain SQL, so it runs unchanged on releases that kept numeric as float64.
func BenchmarkNumericSum10k(b *testing.B) {
	e := NewEngine(DefaultLimits())
	db := openDB(b)
	mustExec(b, e, db, "CREATE TABLE ledger (id int PRIMARY KEY, amt numeric)")
	for start := 0; start < 10000; start += 500 {
		var sb strings.Builder
		sb.WriteString("INSERT INTO ledger VALUES ")
		for i := start; i < start+500; i++ {
			if i > start {
				sb.WriteString(", ")
			}
			fmt.Fprintf(&sb, "(%d, %d.%02d)", i, i%5000, i%100)
		}
		mustExec(b, e, db, sb.String())
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		mustExec(b, e, db, "SELECT sum(amt), avg(amt), max(amt) FROM ledger WHERE amt > 10.5")
	}
}
