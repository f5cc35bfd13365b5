package pgwire_test

import "testing"

// Each transaction statement answers PostgreSQL's command tag.
func TestTransactionTags(t *testing.T) {
	c := connect(t, singleNode(t))
	x := ctx(t)
	for _, tc := range []struct{ sql, tag string }{
		{"BEGIN", "BEGIN"},
		{"COMMIT", "COMMIT"},
		{"START TRANSACTION", "START TRANSACTION"},
		{"END", "COMMIT"},
		{"BEGIN ISOLATION LEVEL SERIALIZABLE", "BEGIN"},
		{"ABORT", "ROLLBACK"},
		{"start transaction read write", "START TRANSACTION"},
		{"ROLLBACK", "ROLLBACK"},
	} {
		tag, err := c.Exec(x, tc.sql)
		if err != nil || tag.String() != tc.tag {
			t.Errorf("%s: tag %q, %v; want %q", tc.sql, tag, err, tc.tag)
		}
	}
}
