package uitest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/raftplay/raftplay/web/clustertest"
)

// openApp opens the page at w×h and waits for a live cluster with a leader.
func openApp(t *testing.T, ctx context.Context, c *clustertest.Cluster, w, h int64) {
	t.Helper()
	do(t, ctx, "viewport", chromedp.EmulateViewport(w, h))
	do(t, ctx, "load", chromedp.Navigate(c.Play+"/"))
	poll(t, ctx, "a live cluster with a leader", `document.querySelector('#app[data-ready="true"][data-conn="live"]') !== null &&
		document.querySelectorAll('[data-testid="node"][data-role="leader"]').length === 1`)
}

// writeUntil puts keys through the playground until the leader's commit index is at least
// index, so that the page has that many log entries to draw.
func writeUntil(t *testing.T, c *clustertest.Cluster, index uint64) {
	t.Helper()
	for i := 0; c.Leader().Status().CommitIndex < index; i++ {
		var wg sync.WaitGroup
		for w := 0; w < 4; w++ {
			wg.Go(func() {
				req, _ := http.NewRequest("PUT", c.Play+"/v1/kv/k"+strconv.Itoa(w), strings.NewReader("v"+strconv.Itoa(i)))
				if resp, err := c.HTTP.Do(req); err == nil {
					resp.Body.Close()
				}
			})
		}
		wg.Wait()
	}
}

// layoutChecks is run in the page; each returns the problems it found.
const layoutChecks = `(() => {
  const out = [];
  const rect = el => el.getBoundingClientRect();
  // In-node text: at least 11 px on screen, and inside the node's circle.
  for (const g of document.querySelectorAll('[data-testid="node"]')) {
    const body = rect(g.querySelector('circle.body'));
    const cx = body.left + body.width / 2, cy = body.top + body.height / 2, r = body.width / 2;
    for (const tx of g.querySelectorAll('text.id, text.role, text.nums')) {
      const px = parseFloat(getComputedStyle(tx).fontSize) * tx.getScreenCTM().a;
      if (px < 11) out.push(g.dataset.nodeId + ": text '" + tx.textContent + "' is " + px.toFixed(1) + " px");
      const b = rect(tx);
      for (const [x, y] of [[b.left, b.top], [b.right, b.top], [b.left, b.bottom], [b.right, b.bottom]]) {
        if (Math.hypot(x - cx, y - cy) > r + 1) { out.push(g.dataset.nodeId + ": '" + tx.textContent + "' leaves the node"); break; }
      }
    }
  }
  // The log: the first column (scrolled all the way back) is clear of the names.
  const sc = document.querySelector('.log-scroll'), labels = document.querySelector('.log-labels');
  if (sc && labels) {
    sc.scrollLeft = -sc.scrollWidth;
    for (const row of sc.querySelectorAll('.log-row:not(.head)')) {
      const first = row.firstElementChild;
      if (first && rect(first).left < rect(labels).right) out.push("log " + row.dataset.nodeId + ": the first column is under the names");
    }
    sc.scrollLeft = 0;
  }
  // The header is one row.
  const top = document.querySelector('header.top');
  const kids = [...top.children].filter(k => rect(k).width > 0);
  if (kids.some(k => Math.abs(rect(k).top + rect(k).height / 2 - (rect(kids[0]).top + rect(kids[0]).height / 2)) > 6)) out.push("the header has more than one row");
  // Event rows: parts side by side, none over another, no text cut.
  for (const ev of [...document.querySelectorAll('[data-testid="event"]')].slice(0, 30)) {
    const parts = [...ev.children].filter(k => rect(k).width > 0);
    for (let i = 1; i < parts.length; i++) if (rect(parts[i]).left < rect(parts[i - 1]).right - 0.5) out.push("event parts overlap: " + ev.innerText);
    const text = ev.querySelector('.ev-text');
    if (text && text.scrollWidth > text.clientWidth + 1) out.push("event text cut: " + text.textContent);
  }
  return out;
})()`

func TestPageLayout(t *testing.T) {
	c := clustertest.Start(t, 3)
	writeUntil(t, c, 120) // three-digit indexes
	ctx := browser(t)
	for _, size := range []struct {
		name string
		w, h int64
	}{{"desktop", 1440, 900}, {"phone", 390, 844}} {
		t.Run(size.name, func(t *testing.T) {
			openApp(t, ctx, c, size.w, size.h)
			poll(t, ctx, "three-digit commits drawn", `[...document.querySelectorAll('[data-testid="node"]')].every(n => +n.dataset.commit >= 100)`)
			if got := eval[[]string](t, ctx, layoutChecks); len(got) > 0 {
				t.Errorf("layout at %dx%d:\n%s", size.w, size.h, strings.Join(got, "\n"))
			}
			// The picture and the picked node's actions share the first screen.
			do(t, ctx, "pick a node", chromedp.Click(`[data-testid="node"][data-role="follower"]`))
			poll(t, ctx, "its actions", `document.querySelectorAll('[data-testid="picked-action"]').length === 5`)
			bottom := eval[float64](t, ctx, `Math.max(document.querySelector('svg.ring').getBoundingClientRect().bottom,
				...[...document.querySelectorAll('[data-testid="picked-action"]')].map(b => b.getBoundingClientRect().bottom)) + window.scrollY`)
			if bottom > float64(size.h) {
				t.Errorf("at %dx%d the picture and its actions end at %.0f px, below the first screen", size.w, size.h, bottom)
			}
			do(t, ctx, "unpick", chromedp.Click(`[data-testid="node"][aria-expanded="true"]`))
			poll(t, ctx, "no actions", `document.querySelector('[data-testid="picked-action"]') === null`)
		})
	}
}

// TestPartitionPicksResetAfterHeal: the builder's selects show the partition in force, and
// once it is healed they show no groups again, whatever the user picked.
func TestPartitionPicksResetAfterHeal(t *testing.T) {
	c := clustertest.Start(t, 3)
	ctx := browser(t)
	openApp(t, ctx, c, 1440, 900)
	sel := `[data-testid="partition-group"][data-node-id="n3"]`
	do(t, ctx, "pick B for n3", chromedp.SetValue(sel, "B"),
		chromedp.Evaluate[chromedp.Void](`document.querySelector('`+sel+`').dispatchEvent(new Event("change", {bubbles: true}))`),
		chromedp.Click(`[data-testid="partition-apply"]`))
	poll(t, ctx, "the partition", `document.querySelector('[data-testid="partition-active"]').dataset.partition !== "none"`)
	do(t, ctx, "heal", chromedp.Click(`[data-testid="heal"]`))
	poll(t, ctx, "healed", `document.querySelector('[data-testid="partition-active"]').dataset.partition === "none"`)
	poll(t, ctx, "every select back at A", `[...document.querySelectorAll('[data-testid="partition-group"]')].every(s => s.value === "A")`)
}

// TestPageKeyboard: the picture is one tab stop whose nodes the arrow keys move between and
// whose actions Enter opens; each log is one tab stop; a skip link leads to the picture.
func TestPageKeyboard(t *testing.T) {
	c := clustertest.Start(t, 3)
	writeUntil(t, c, 20)
	ctx := browser(t)
	openApp(t, ctx, c, 1440, 900)
	stops := eval[int](t, ctx, `document.querySelectorAll('.logs [tabindex="0"], .logs button, svg.ring [tabindex="0"]').length`)
	if stops != 3+1 { // a listbox per node's log and the picture
		t.Errorf("%d tab stops in the logs and the picture, want 4", stops)
	}
	if got := eval[string](t, ctx, `document.querySelector('[data-testid="skip"]').getAttribute('href')`); got != "#picture" ||
		!eval[bool](t, ctx, `document.getElementById('picture') !== null`) {
		t.Errorf("skip link to %q", got)
	}
	do(t, ctx, "focus the picture", chromedp.Focus(`svg.ring [tabindex="0"]`))
	first := eval[string](t, ctx, `document.activeElement.dataset.nodeId`)
	do(t, ctx, "arrow right", chromedp.KeyEvent(kb.ArrowRight))
	second := eval[string](t, ctx, `document.activeElement.dataset.nodeId || ''`)
	if first != "n1" || second != "n2" {
		t.Errorf("arrow right moved focus from %q to %q, want n1 to n2", first, second)
	}
	do(t, ctx, "Enter", chromedp.KeyEvent(kb.Enter))
	poll(t, ctx, "n2's actions", `document.querySelector('[data-testid="picked"]').dataset.picked === "node:n2" &&
		document.querySelectorAll('[data-testid="picked-action"][data-node-id="n2"]').length === 5`)
	// A log: arrows move its active entry, Enter opens it.
	do(t, ctx, "focus n1's log", chromedp.Focus(`.log-row[data-node-id="n1"]`))
	do(t, ctx, "arrow left", chromedp.KeyEvent(kb.ArrowLeft), chromedp.KeyEvent(kb.Enter))
	poll(t, ctx, "the entry's details", `document.querySelector('[data-testid="entry-detail"][data-node-id="n1"]') !== null`)
	// Leader changes are announced.
	leader := eval[string](t, ctx, `document.querySelector('[data-testid="leader"]').dataset.leader`)
	poll(t, ctx, "the leader announced", fmt.Sprintf(`document.querySelector('[data-testid="announce"]').textContent.startsWith("Leader %s")`, leader))
	clustertest.MustOK(t, "POST", c.Play+"/v1/control/kill", map[string]string{"node": leader})
	poll(t, ctx, "the kill and the new leader announced", fmt.Sprintf(`(() => { const a = document.querySelector('[data-testid="announce"]').textContent;
		return a.startsWith("Leader ") && !a.startsWith("Leader %s") && a.includes("%s down") })()`, leader, leader))
}

// axeSource is axe-core from the JavaScript test tools (npm ci in web/testdata/npm).
func axeSource(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "npm", "node_modules", "axe-core", "axe.min.js"))
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("axe-core is not installed (npm ci --prefix web/testdata/npm): %v", err)
		}
		t.Skipf("axe-core is not installed (npm ci --prefix web/testdata/npm): %v", err)
	}
	return string(b)
}

// axeRun runs axe on the page and returns its serious and critical violations, one line each.
const axeRun = `(async () => {
  const r = await axe.run(document, {resultTypes: ["violations"]});
  const out = [];
  for (const v of r.violations) {
    if (v.impact !== "serious" && v.impact !== "critical") continue;
    for (const n of v.nodes.slice(0, 5)) out.push(v.impact + " " + v.id + ": " + n.target.join(" ") + " — " + (n.failureSummary || "").split("\n").slice(1, 2).join(""));
    if (v.nodes.length > 5) out.push("  … and " + (v.nodes.length - 5) + " more " + v.id);
  }
  return JSON.stringify(out);
})()`

func TestPageAccessibility(t *testing.T) {
	src := axeSource(t)
	c := clustertest.Start(t, 3)
	ctx := browser(t)
	check := func(when string) {
		t.Helper()
		if !eval[bool](t, ctx, `typeof axe !== "undefined"`) {
			do(t, ctx, "inject axe", chromedp.Evaluate[chromedp.Void](src))
		}
		raw, err := chromedp.Run(ctx, chromedp.Evaluate[string](axeRun, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatalf("axe %s: %v", when, err)
		}
		var found []string
		if err := json.Unmarshal([]byte(raw), &found); err != nil {
			t.Fatal(err)
		}
		if len(found) > 0 {
			t.Errorf("axe %s: %d serious or critical violations:\n%s", when, len(found), strings.Join(found, "\n"))
		}
	}
	for _, size := range []struct{ w, h int64 }{{1440, 900}, {390, 844}} {
		openApp(t, ctx, c, size.w, size.h)
		check(fmt.Sprintf("idle at %dx%d", size.w, size.h))
	}
	openApp(t, ctx, c, 1440, 900)
	clustertest.Put(t, c.Play, "colour", "blue")
	poll(t, ctx, "the write on every node", `document.querySelectorAll('[data-testid="data-key"][data-key="colour"]').length === 3`)
	do(t, ctx, "open an entry and pick a node", chromedp.Click(`[data-testid="log-entry"]`), chromedp.Click(`[data-testid="node"]`))
	check("after a write")
	clustertest.MustOK(t, "POST", c.Play+"/v1/control/partition", map[string]any{"groups": [][]string{{"n1"}, {"n2", "n3"}}})
	poll(t, ctx, "the partition drawn", `document.querySelectorAll('[data-testid="link"]:not([data-cut="-"])').length === 2`)
	do(t, ctx, "pick a cut link", chromedp.Click(`[data-testid="link"][data-cut="both"]`))
	check("during a partition")
}

// TestScreenshots writes the screenshots docs/ shows into $RAFTPLAY_SCREENSHOTS (make
// screenshots: docs/screenshots); without it the test does nothing.
func TestScreenshots(t *testing.T) {
	dir := os.Getenv("RAFTPLAY_SCREENSHOTS")
	if dir == "" {
		t.Skip("set RAFTPLAY_SCREENSHOTS to a directory to write the screenshots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	c := clustertest.Start(t, 3)
	writeUntil(t, c, 40)
	ctx := browser(t)
	shot := func(name string) {
		t.Helper()
		b, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(dir, name+".png"), b, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %d bytes", name, len(b))
	}
	openApp(t, ctx, c, 1280, 800)
	do(t, ctx, "pick the leader", chromedp.Click(`[data-testid="node"][data-role="leader"]`))
	poll(t, ctx, "messages in flight", `document.querySelectorAll('[data-testid="rpc"]').length > 0`)
	shot("realtime")
	do(t, ctx, "slow motion", chromedp.SetValue(`[data-testid="speed"]`, "slow"),
		chromedp.Evaluate[chromedp.Void](`document.querySelector('[data-testid="speed"]').dispatchEvent(new Event("change", {bubbles: true}))`))
	poll(t, ctx, "slow", `document.querySelector('[data-testid="speed"]').dataset.speed === "slow"`)
	writeUntil(t, c, c.Leader().Status().CommitIndex+3)
	poll(t, ctx, "an append in flight", `document.querySelector('[data-testid="rpc"][data-kind="append"]') !== null`)
	shot("slow-motion")
	clustertest.MustOK(t, "POST", c.Play+"/v1/control/speed", map[string]string{"preset": "realtime"})
	clustertest.MustOK(t, "POST", c.Play+"/v1/control/partition", map[string]any{"groups": [][]string{{"n1"}, {"n2", "n3"}}})
	poll(t, ctx, "the partition drawn", `document.querySelectorAll('[data-testid="link"]:not([data-cut="-"])').length === 2`)
	do(t, ctx, "pick a cut link", chromedp.Click(`[data-testid="link"][data-cut="both"]`))
	shot("partition")
	clustertest.MustOK(t, "POST", c.Play+"/v1/control/heal", nil)
	poll(t, ctx, "healed", `document.querySelectorAll('[data-testid="link"][data-cut="-"]').length === 3`)
	// A failover, replayed ten times slower.
	leader := eval[string](t, ctx, `document.querySelector('[data-testid="node"][data-role="leader"]').dataset.nodeId`)
	clustertest.MustOK(t, "POST", c.Play+"/v1/control/kill", map[string]string{"node": leader})
	poll(t, ctx, "the replay offered", `document.querySelector('[data-testid="replay-start"]') !== null`)
	do(t, ctx, "replay it", chromedp.Click(`[data-testid="replay-start"]`))
	poll(t, ctx, "the replay with messages in flight", `document.querySelector('[data-testid="picture"][data-mode="replay"]') !== null &&
		document.querySelectorAll('[data-testid="rpc"]').length > 0`)
	do(t, ctx, "to the top", chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, 0)`))
	shot("replay")
	clustertest.MustOK(t, "POST", c.Play+"/v1/control/restart", map[string]string{"node": leader})
	openApp(t, ctx, c, 390, 844)
	do(t, ctx, "pick a follower", chromedp.Click(`[data-testid="node"][data-role="follower"]`))
	poll(t, ctx, "its actions", `document.querySelectorAll('[data-testid="picked-action"]').length === 5`)
	shot("phone")
}
