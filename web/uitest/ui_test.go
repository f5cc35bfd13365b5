package uitest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/raftplay/raftplay/node/wire"
	"github.com/raftplay/raftplay/web/clustertest"
)

// browser starts headless Chromium for the test. Without Chromium the test is skipped on a
// developer machine but fails in CI, where .ci/run installs it.
func browser(t *testing.T) context.Context {
	t.Helper()
	return browserSized(t, 1400, 1000, 3*time.Minute)
}

// browserSized is browser with a window of w×h pixels, for at most limit.
func browserSized(t *testing.T, w, h int, limit time.Duration) context.Context {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("chromium is not installed (.ci/run installs Debian's chromium)")
		}
		t.Skip("chromium is not installed")
	}
	if _, err := os.Stat(filepath.Join("..", "..", "static", "dist", "app.wasm")); err != nil {
		t.Fatal("the browser app is not built: run make wasm (make test does)")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("no-first-run", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(w, h),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, limit)
	t.Cleanup(func() { cancelTimeout(); cancel(); cancelAlloc() })
	return ctx
}

// artifacts is where screenshots go: $RAFTPLAY_ARTIFACTS if set, else the test's temp dir.
func artifacts(t *testing.T) string {
	if d := os.Getenv("RAFTPLAY_ARTIFACTS"); d != "" {
		if err := os.MkdirAll(d, 0o755); err == nil {
			return d
		}
	}
	return t.TempDir()
}

// poll waits until the JavaScript expression is truthy.
func poll(t *testing.T, ctx context.Context, what, expr string) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(30*time.Second), chromedp.WithPollingInterval(50*time.Millisecond))); err != nil {
		t.Fatalf("waiting for %s (%s): %v", what, expr, err)
	}
}

func eval[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

func do(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func faults(t *testing.T, c *clustertest.Cluster) wire.Faults {
	var f wire.Faults
	clustertest.MustOK(t, "GET", c.Play+"/v1/control/faults", nil).JSON(t, &f)
	return f
}

func TestPlaygroundInTheBrowser(t *testing.T) {
	c := clustertest.Start(t, 3)
	ctx := browser(t)
	dir := artifacts(t)
	shot := func(name string) {
		b, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		p := filepath.Join(dir, name+".png")
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot %s", p)
	}

	// Every console error and uncaught exception, from the first load on.
	var mu sync.Mutex
	var problems []string
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.IsException() {
				mu.Lock()
				problems = append(problems, fmt.Sprintf("%s: %s (%s:%d)", m.Type, m, m.URL, m.Line+1))
				mu.Unlock()
			}
		}
	}()

	start := time.Now()
	do(t, ctx, "load", chromedp.Navigate(c.Play+"/"))
	poll(t, ctx, "the first hello rendered", `document.querySelector('#app[data-ready="true"]') !== null`)
	t.Logf("navigation to data-ready: %v", time.Since(start))
	poll(t, ctx, "three nodes, one leader", `document.querySelectorAll('[data-testid="node"]').length === 3 &&
		document.querySelectorAll('[data-testid="node"][data-role="leader"]').length === 1`)
	shot("1-ready")

	// SQL console.
	do(t, ctx, "run SQL",
		chromedp.SetValue(`[data-testid="sql-input"]`, "CREATE TABLE pets (id int PRIMARY KEY, name text); INSERT INTO pets VALUES (1, 'cat'), (2, 'dog'); SELECT id, name FROM pets ORDER BY id"),
		chromedp.Click(`[data-testid="sql-run"]`))
	poll(t, ctx, "the SQL result table", `(() => { const r = document.querySelector('[data-testid="sql-result"]');
		return r !== null && [...r.querySelectorAll('table')].some(tb => tb.querySelectorAll('th').length === 2 && tb.innerText.includes('dog')) })()`)
	shot("2-sql")
	do(t, ctx, "run bad SQL", chromedp.SetValue(`[data-testid="sql-input"]`, "SELEC 1"), chromedp.Click(`[data-testid="sql-run"]`))
	poll(t, ctx, "the SQL error", `document.querySelector('[data-testid="sql-error"][data-sqlstate="42601"]') !== null`)

	// Key/value.
	do(t, ctx, "put a key",
		chromedp.SetValue(`[data-testid="kv-key"]`, "color"), chromedp.SetValue(`[data-testid="kv-value"]`, "blue"),
		chromedp.Click(`[data-testid="kv-put"]`))
	poll(t, ctx, "the put answer", `document.querySelector('[data-testid="kv-result"][data-ok="true"]') !== null`)
	do(t, ctx, "get a key", chromedp.Click(`[data-testid="kv-get"]`))
	poll(t, ctx, "the value", `(() => { const r = document.querySelector('[data-testid="kv-result"][data-ok="true"]'); return r !== null && r.innerText.includes('blue') })()`)
	if v, _ := clustertest.Get(t, c.Play, "color", "linearizable"); v.Value != "blue" {
		t.Fatalf("the page's put did not reach the cluster: %+v", v)
	}

	// Kill the leader with its button: another node becomes leader.
	old := eval[string](t, ctx, `document.querySelector('[data-testid="node"][data-role="leader"]').dataset.nodeId`)
	do(t, ctx, "kill the leader", chromedp.Click(fmt.Sprintf(`[data-testid="node-action"][data-action="kill"][data-node-id=%q]`, old)))
	poll(t, ctx, "the old leader down and a new leader", fmt.Sprintf(`document.querySelector('[data-testid="node"][data-node-id=%q]').dataset.role === "down" &&
		document.querySelectorAll('[data-testid="node"][data-role="leader"]').length === 1`, old))
	shot("3-leader-killed")

	// Restart it: it comes back as a follower with the leader's commit index.
	do(t, ctx, "restart the old leader", chromedp.Click(fmt.Sprintf(`[data-testid="node-action"][data-action="restart"][data-node-id=%q]`, old)))
	poll(t, ctx, "the old leader back as a caught-up follower", fmt.Sprintf(`(() => {
		const n = document.querySelector('[data-testid="node"][data-node-id=%q]');
		const l = document.querySelector('[data-testid="node"][data-role="leader"]');
		return n && l && n.dataset.role === "follower" && n.dataset.commit === l.dataset.commit })()`, old))
	shot("4-restarted")

	// Isolate a follower: the page marks it.
	victim := eval[string](t, ctx, `document.querySelector('[data-testid="node"][data-role="follower"]').dataset.nodeId`)
	do(t, ctx, "isolate a follower", chromedp.Click(fmt.Sprintf(`[data-testid="node-action"][data-action="isolate"][data-node-id=%q]`, victim)))
	poll(t, ctx, "the isolated mark", fmt.Sprintf(`document.querySelector('[data-testid="node"][data-node-id=%q]').dataset.isolated === "true"`, victim))
	if n := eval[int](t, ctx, `document.querySelectorAll('[data-testid="log-entry"]').length`); n == 0 {
		t.Fatal("no log entries drawn")
	}
	if n := eval[int](t, ctx, `document.querySelectorAll('[data-testid="event"]').length`); n == 0 {
		t.Fatal("the event timeline is empty")
	}
	shot("5-isolated")
	do(t, ctx, "heal", chromedp.Click(`[data-testid="heal"]`))
	poll(t, ctx, "the isolation healed", fmt.Sprintf(`document.querySelector('[data-testid="node"][data-node-id=%q]').dataset.isolated === "false"`, victim))

	// Each node's data: the table the console created, on every node.
	poll(t, ctx, "the pets table on every node", `document.querySelectorAll('[data-testid="node-data"] [data-testid="data-table"][data-table="pets"]').length === 3`)

	// Partition builder: cut one node off, then heal.
	do(t, ctx, "partition",
		chromedp.SetValue(fmt.Sprintf(`[data-testid="partition-group"][data-node-id=%q]`, victim), "B"),
		chromedp.Click(`[data-testid="partition-apply"]`))
	poll(t, ctx, "the partition in force", fmt.Sprintf(`(() => { const p = document.querySelector('[data-testid="partition-active"]'); return p && p.dataset.partition.includes(%q) && p.dataset.partition !== "none" })()`, "{"+victim+"}"))
	if f := faults(t, c); len(f.Partition) != 2 {
		t.Fatalf("the page's partition did not reach the cluster: %+v", f)
	}
	shot("6-partitioned")
	do(t, ctx, "heal the partition", chromedp.Click(`[data-testid="heal"]`))
	poll(t, ctx, "no partition", `document.querySelector('[data-testid="partition-active"]').dataset.partition === "none"`)

	// A scenario runs to its end.
	do(t, ctx, "run a scenario", chromedp.SetValue(`[data-testid="scenario"]`, "leader-failover"), chromedp.Click(`[data-testid="scenario-run"]`))
	poll(t, ctx, "the scenario to start", `document.querySelector('[data-testid="scenario-state"][data-running="true"]') !== null`)
	poll(t, ctx, "the scenario to finish", `(() => { const s = document.querySelector('[data-testid="scenario-state"]'); return s && s.dataset.running === "false" && s.dataset.scenario === "leader-failover" })()`)
	shot("7-scenario")

	mu.Lock()
	defer mu.Unlock()
	if len(problems) > 0 {
		t.Fatalf("console errors or uncaught exceptions:\n%s", strings.Join(problems, "\n"))
	}
}
