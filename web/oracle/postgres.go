// Package oracle checks raftplay's SQL answers against a real PostgreSQL: it starts a
// throwaway PostgreSQL server for a test, reads query corpora (the project's own and the
// sqllogictest files), runs each statement on both over the wire protocol, and sorts the
// outcomes into agreements, clean refusals (0A000) and differences.
package oracle

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// Postgres is a PostgreSQL server in a temp dir, stopped when the test ends.
type Postgres struct {
	Addr string
	dir  string
}

// ErrNoPostgres is returned when no PostgreSQL server binaries are installed.
var ErrNoPostgres = errors.New("no PostgreSQL server found under /usr/lib/postgresql (apt-get install postgresql)")

// binDir finds the newest installed server's bin directory.
func binDir() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin/postgres")
	if len(dirs) == 0 {
		return "", ErrNoPostgres
	}
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	return filepath.Dir(dirs[0]), nil
}

func version(path string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(path))))
	return v
}

// StartPostgres initdbs a cluster and starts it on a free loopback port. PostgreSQL refuses
// to run as root, so as root it runs as the "postgres" user the Debian package creates.
func StartPostgres(t testing.TB) (*Postgres, error) {
	t.Helper()
	bin, err := binDir()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "raftplay-pg")
	if err != nil {
		return nil, err
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	cred, err := runAs(dir)
	if err != nil {
		return nil, err
	}
	data := filepath.Join(dir, "data")
	initdb := exec.Command(filepath.Join(bin, "initdb"), "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C")
	initdb.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	if out, err := initdb.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("initdb: %v\n%s", err, out)
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	logf, err := os.Create(filepath.Join(dir, "postgres.log"))
	if err != nil {
		return nil, err
	}
	srv := exec.Command(filepath.Join(bin, "postgres"), "-D", data, "-p", strconv.Itoa(port), "-k", dir,
		"-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off")
	srv.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	srv.Stdout, srv.Stderr = logf, logf
	if err := srv.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("start postgres: %w", err)
	}
	t.Cleanup(func() {
		srv.Process.Signal(syscall.SIGINT) // fast shutdown
		srv.Wait()
		logf.Close()
	})
	p := &Postgres{Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), dir: dir}
	if err := p.waitReady(); err != nil {
		b, _ := os.ReadFile(logf.Name())
		return nil, fmt.Errorf("%w\n%s", err, b)
	}
	return p, nil
}

// runAs is the credential to run the server with, and gives it dir: none when not root.
func runAs(dir string) (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("running as root needs the postgres user to run PostgreSQL: %w", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	if err := os.Chown(dir, uid, gid); err != nil {
		return nil, err
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// waitReady polls until the server accepts a connection.
func (p *Postgres) waitReady() error {
	deadline := time.Now().Add(60 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		c, err := pgconn.Connect(ctx, p.DSN("postgres"))
		cancel()
		if err == nil {
			c.Close(context.Background())
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("postgres did not accept connections within 60 s: %w", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// DSN is a connection string for database db.
func (p *Postgres) DSN(db string) string {
	return "postgres://postgres@" + p.Addr + "/" + db + "?sslmode=disable"
}

// CreateDatabase makes an empty database.
func (p *Postgres) CreateDatabase(ctx context.Context, name string) error {
	c, err := pgconn.Connect(ctx, p.DSN("postgres"))
	if err != nil {
		return err
	}
	defer c.Close(ctx)
	_, err = c.Exec(ctx, "CREATE DATABASE "+name).ReadAll()
	return err
}
