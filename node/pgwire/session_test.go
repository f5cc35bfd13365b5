package pgwire_test

import "testing"

// SHOW statement_timeout answers in PostgreSQL's units, however it was set.
func TestShowStatementTimeout(t *testing.T) {
	c := connect(t, singleNode(t))
	x := ctx(t)
	for _, tc := range []struct{ set, show string }{
		{"1500", "1500ms"}, {"60000", "1min"}, {"0", "0"}, {"'5s'", "5s"}, {"'1.5s'", "1500ms"},
		{"3600000", "1h"}, {"'2min'", "2min"}, {"86400000", "1d"}, {"'250ms'", "250ms"}, {"1", "1ms"},
	} {
		if _, err := c.Exec(x, "SET statement_timeout = "+tc.set); err != nil {
			t.Fatal(err)
		}
		var v string
		if err := c.QueryRow(x, "SHOW statement_timeout").Scan(&v); err != nil || v != tc.show {
			t.Errorf("SET statement_timeout = %s: SHOW %q, %v; want %q", tc.set, v, err, tc.show)
		}
	}
}
