package uitest

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/raftplay/raftplay/node/wire"
	"github.com/raftplay/raftplay/web"
	"github.com/raftplay/raftplay/web/clustertest"
	"github.com/raftplay/raftplay/web/playground"
)

// attackPage is what a page of any origin can make a browser do against the cluster
// without the server's consent: no-cors POSTs with text/plain or empty bodies, a CORS
// POST with a JSON body (which needs the server's preflight answer), and a WebSocket
// carrying a command. attack(target, steps) reports what each step saw.
const attackPage = `<!doctype html><title>another page</title><script>
window.attack = async (target, steps) => {
  const out = {};
  const post = async (step, path, init) => {
    if (!steps.includes(step)) return;
    try {
      const r = await fetch(target + path, init);
      out[step] = r.type === "opaque" ? "sent" : r.status;
    } catch (e) { out[step] = "failed"; }
  };
  await post("sql-no-cors", "/v1/sql", {method: "POST", mode: "no-cors", headers: {"Content-Type": "text/plain"},
    body: JSON.stringify({sql: "INSERT INTO victims VALUES (1)"})});
  await post("isolate-no-cors", "/v1/control/isolate", {method: "POST", mode: "no-cors", body: JSON.stringify({node: "n2"})});
  await post("add-node-no-cors", "/v1/control/add-node", {method: "POST", mode: "no-cors"});
  await post("sql-json", "/v1/sql", {method: "POST", headers: {"Content-Type": "application/json"},
    body: JSON.stringify({sql: "INSERT INTO victims VALUES (2)"})});
  if (steps.includes("websocket")) out.websocket = await new Promise(resolve => {
    const ws = new WebSocket(target.replace(/^http/, "ws") + "/v1/cluster/events");
    const timer = setTimeout(() => { ws.close(); resolve("timeout"); }, 15000);
    ws.onopen = () => ws.send(JSON.stringify({id: "w", op: "sql", sql: "INSERT INTO victims VALUES (3)"}));
    ws.onmessage = m => {
      const ev = JSON.parse(m.data);
      if (ev.type === "result") { clearTimeout(timer); ws.close(); resolve(ev.data.status); }
    };
    ws.onerror = () => { clearTimeout(timer); resolve("refused"); };
  });
  return JSON.stringify(out);
};
</script>`

// withAttackPage serves the attack page at /attack.html and everything else from h.
func withAttackPage(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/attack.html" {
			h.ServeHTTP(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, attackPage)
	})
}

// serveOn serves h on addr (host:0) until the test ends and returns its base URL.
func serveOn(t *testing.T, addr string, h http.Handler) string {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("listen on %s: %v", addr, err)
	}
	srv := httptest.NewUnstartedServer(h)
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestOtherOriginsCannotDriveTheCluster runs, in Chromium, what a page of another origin
// can do against the cluster: a no-cors fetch with a text/plain body against /v1/sql and
// /v1/control/isolate, an empty POST to /v1/control/add-node, a JSON fetch and a
// WebSocket command. From another port (same site) and another address (another site)
// none of it has an effect and the cluster stays healthy. The same page on the server's
// own origin runs its JSON fetch and its WebSocket command, while its text/plain bodies
// are still refused.
func TestOtherOriginsCannotDriveTheCluster(t *testing.T) {
	c := clustertest.Start(t, 3)
	ctx := browser(t)
	clustertest.MustOK(t, "POST", c.Play+"/v1/sql", wire.SQLRequest{SQL: "CREATE TABLE victims (id int PRIMARY KEY)"})
	api := playground.NewServer(c.Cluster, web.Options{})
	t.Cleanup(api.Close)
	target := serveOn(t, "127.0.0.1:0", withAttackPage(api))
	page := withAttackPage(http.NotFoundHandler())
	all := []string{"sql-no-cors", "isolate-no-cors", "add-node-no-cors", "sql-json", "websocket"}
	tests := []struct {
		name  string
		page  string // base URL the page is served from
		steps []string
		saw   map[string]any // what the page saw of each step
		rows  string         // the rows of victims afterwards
	}{
		{"another port", serveOn(t, "127.0.0.1:0", page), all,
			map[string]any{"sql-no-cors": "sent", "isolate-no-cors": "sent", "add-node-no-cors": "sent", "sql-json": "failed", "websocket": "refused"}, "[]"},
		{"another address", serveOn(t, "127.0.0.2:0", page), all,
			map[string]any{"sql-no-cors": "sent", "isolate-no-cors": "sent", "add-node-no-cors": "sent", "sql-json": "failed", "websocket": "refused"}, "[]"},
		{"the server's own origin", target, []string{"sql-no-cors", "isolate-no-cors", "sql-json", "websocket"},
			map[string]any{"sql-no-cors": 415.0, "isolate-no-cors": 415.0, "sql-json": 200.0, "websocket": 200.0}, "[[2],[3]]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			do(t, ctx, "open the page", chromedp.Navigate(tt.page+"/attack.html"))
			steps := `["` + strings.Join(tt.steps, `","`) + `"]`
			raw, err := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf("attack(%q, %s)", target, steps), chromedp.EvalAwaitPromise))
			if err != nil {
				t.Fatalf("run the page: %v", err)
			}
			var saw map[string]any
			if err := json.Unmarshal([]byte(raw), &saw); err != nil {
				t.Fatalf("the page's report %q: %v", raw, err)
			}
			for step, want := range tt.saw {
				if saw[step] != want {
					t.Errorf("%s: the page saw %v, want %v (all: %s)", step, saw[step], want, raw)
				}
			}
			var res wire.SQLResponse
			clustertest.MustOK(t, "POST", c.Play+"/v1/sql", wire.SQLRequest{SQL: "SELECT id FROM victims ORDER BY id", Consistency: wire.ConsistencyLinearizable}).JSON(t, &res)
			if got := rowsOf(res); got != tt.rows {
				t.Errorf("rows of victims %s, want %s", got, tt.rows)
			}
			healthy(t, c, 3)
		})
	}
}

// rowsOf is the rows of a response's first result as JSON.
func rowsOf(res wire.SQLResponse) string {
	if len(res.Results) == 0 {
		return "none"
	}
	if len(res.Results[0].Rows) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(res.Results[0].Rows)
	return string(b)
}

// healthy checks that the cluster has nodes members, all up and unfaulted, on one leader,
// with equal digests.
func healthy(t *testing.T, c *clustertest.Cluster, nodes int) {
	t.Helper()
	f := faults(t, c)
	if len(f.Down) != 0 || len(f.Isolated) != 0 || len(f.Partition) != 0 {
		t.Fatalf("faults in force: %+v", f)
	}
	if got := len(c.Nodes()); got != nodes {
		t.Fatalf("%d nodes, want %d", got, nodes)
	}
	c.Leader()
	c.WaitConverged()
}

// TestThePageAsksForItsToken: against a cluster with a token, the page asks for it, says
// when a token is refused, and connects with the right one; opened at the address
// `raftplay play` prints, with the token in the fragment, it connects at once, keeps the
// token for the tab and drops it from the address bar.
func TestThePageAsksForItsToken(t *testing.T) {
	const token = "ui s3cret+/="
	c := clustertest.Start(t, 3, clustertest.WithAuthToken(token))
	ctx := browser(t)

	do(t, ctx, "load without a token", chromedp.Navigate(c.Play+"/"))
	poll(t, ctx, "the token prompt", `document.querySelector('[data-testid="token-prompt"][data-reason="no access token"]') !== null`)
	do(t, ctx, "enter a wrong token", chromedp.SetValue(`[data-testid="token-input"]`, "nope"), chromedp.Click(`[data-testid="token-save"]`))
	poll(t, ctx, "the refusal", `document.querySelector('[data-testid="token-prompt"][data-reason="the token was refused"]') !== null`)
	do(t, ctx, "enter the token", chromedp.SetValue(`[data-testid="token-input"]`, token), chromedp.Click(`[data-testid="token-save"]`))
	poll(t, ctx, "the cluster", `document.querySelector('#app[data-ready="true"][data-conn="live"]') !== null &&
		document.querySelectorAll('[data-testid="node"]').length === 3 && document.querySelector('[data-testid="token-prompt"]') === null`)
	do(t, ctx, "run SQL", chromedp.SetValue(`[data-testid="sql-input"]`, "CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t VALUES (7); SELECT id FROM t"),
		chromedp.Click(`[data-testid="sql-run"]`))
	poll(t, ctx, "the SQL result", `(() => { const r = document.querySelector('[data-testid="sql-result"]'); return r !== null && r.innerText.includes('7') })()`)

	tab, cancel := chromedp.NewContext(ctx) // a new tab: its session storage is empty
	defer cancel()
	do(t, tab, "open the printed address", chromedp.Navigate(c.Play+"/#token="+url.QueryEscape(token)))
	poll(t, tab, "the cluster", `document.querySelector('#app[data-ready="true"][data-conn="live"]') !== null`)
	if h := eval[string](t, tab, `location.href`); strings.Contains(h, "#") {
		t.Fatalf("the token stayed in the address bar: %s", h)
	}
	if got := eval[string](t, tab, `sessionStorage.getItem("raftplay.token")`); got != token {
		t.Fatalf("the tab keeps token %q, want %q", got, token)
	}
}
