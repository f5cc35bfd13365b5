package pgwire_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestSQLAlchemy runs testdata/orm.py: SQLAlchemy's ORM over psycopg2 on a follower
// inserts with a serial id (RETURNING inside the transaction), updates (its row count is
// checked), queries and deletes. Skipped without python3-sqlalchemy and
// python3-psycopg2, fatal when CI is set.
func TestSQLAlchemy(t *testing.T) {
	// Debian's python3 packages are for /usr/bin/python3, which a python3 earlier on PATH
	// (pyenv, a venv) does not see.
	py := "/usr/bin/python3"
	if _, err := os.Stat(py); err != nil {
		py = "python3"
	}
	if err := exec.Command(py, "-c", "import sqlalchemy, psycopg2").Run(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("python3-sqlalchemy and python3-psycopg2 are not installed (CI installs them)")
		}
		t.Skip("python3-sqlalchemy or python3-psycopg2 is not installed")
	}
	_, targets := pgCluster(t)
	run, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(run, py, filepath.Join("testdata", "orm.py"))
	cmd.Env = append(os.Environ(), "RAFTPLAY_PG="+targets["follower"], "PGCONNECT_TIMEOUT=5", "PGSSLMODE=disable")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil || strings.TrimSpace(out.String()) != "ok" {
		t.Fatalf("orm.py: %v\n%s", err, out.String())
	}
}
