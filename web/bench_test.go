package web_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"nhooyr.io/websocket"

	"github.com/raftplay/raftplay/web/clustertest"
)

// The cluster benchmarks run a real 3-node cluster on loopback TCP with fsync'ed logs; every
// operation is acknowledged only after its entry committed.

func benchClient() *http.Client {
	return &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}}
}

func post(b *testing.B, c *http.Client, method, url, ct string, body []byte) {
	req, _ := http.NewRequest(method, url, bytes.NewReader(body))
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	resp, err := c.Do(req)
	if err != nil {
		b.Error(err)
		return
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b.Errorf("%s %s: %s", method, url, resp.Status)
	}
}

// runWrites spreads b.N writes over clients concurrent goroutines.
func runWrites(b *testing.B, clients int, write func(i int64)) {
	var next atomic.Int64
	b.SetParallelism(max(1, clients/2)) // RunParallel starts GOMAXPROCS×parallelism goroutines
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			write(next.Add(1))
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "writes/s")
}

func BenchmarkKVPut(b *testing.B) {
	for _, clients := range []int{2, 32} {
		b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) {
			c := clustertest.Start(b, 3)
			url := clustertest.URL(c.Leader())
			hc := benchClient()
			runWrites(b, clients, func(i int64) {
				post(b, hc, "PUT", fmt.Sprintf("%s/v1/kv/k%d", url, i%10000), "", []byte("value"))
			})
		})
	}
}

func BenchmarkSQLInsert(b *testing.B) {
	for _, rows := range []int{1, 100} {
		b.Run(fmt.Sprintf("rows=%d", rows), func(b *testing.B) {
			c := clustertest.Start(b, 3)
			url := clustertest.URL(c.Leader()) + "/v1/sql"
			hc := benchClient()
			post(b, hc, "POST", url, "application/json", []byte(`{"sql":"CREATE TABLE t (id bigint PRIMARY KEY, v text)"}`))
			runWrites(b, 8, func(i int64) {
				var sb strings.Builder
				sb.WriteString(`{"sql":"INSERT INTO t VALUES `)
				for r := range rows {
					if r > 0 {
						sb.WriteByte(',')
					}
					fmt.Fprintf(&sb, "(%d, 'row')", i*int64(rows)+int64(r))
				}
				sb.WriteString(`"}`)
				post(b, hc, "POST", url, "application/json", []byte(sb.String()))
			})
			b.ReportMetric(float64(b.N*rows)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

// BenchmarkKVPutWithSubscribers measures write throughput with 0 and 100 WebSocket clients
// reading the whole cluster event stream (heartbeats included), one event per message or
// batched. The subscribers run in the benchmark's process, so their reading competes for
// the same two cores.
func BenchmarkKVPutWithSubscribers(b *testing.B) {
	for _, tc := range []struct {
		subs              int
		batch, heartbeats string
	}{{0, "false", "all"}, {100, "false", "all"}, {100, "true", "all"}, {100, "true", "summary"}} {
		subs, batch, hb := tc.subs, tc.batch, tc.heartbeats
		b.Run(fmt.Sprintf("subscribers=%d/batch=%s/heartbeats=%s", subs, batch, hb), func(b *testing.B) {
			c := clustertest.Start(b, 3)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			for range subs {
				ws, _, err := websocket.Dial(ctx, strings.Replace(c.Play, "http://", "ws://", 1)+"/v1/cluster/events?heartbeats="+hb+"&batch="+batch, nil)
				if err != nil {
					b.Fatal(err)
				}
				ws.SetReadLimit(16 << 20)
				go func() {
					defer ws.CloseNow()
					for {
						if _, _, err := ws.Read(ctx); err != nil {
							return
						}
					}
				}()
			}
			url := clustertest.URL(c.Leader())
			hc := benchClient()
			runWrites(b, 32, func(i int64) {
				post(b, hc, "PUT", fmt.Sprintf("%s/v1/kv/k%d", url, i%10000), "", []byte("value"))
			})
			if d := c.Hub().Bus().Dropped(); d > 0 {
				b.ReportMetric(float64(d), "dropped-subscribers")
			}
		})
	}
}
