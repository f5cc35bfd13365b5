package web_test

import (
	"fmt"
	"testing"

	gometrics "github.com/hashicorp/go-metrics"

	"github.com/raftplay/raftplay/node/raftmetrics"
	"github.com/raftplay/raftplay/web/clustertest"
)

// BenchmarkKVPutRaftMetrics is BenchmarkKVPut with hashicorp/raft's own metrics discarded
// as go-metrics does by default (off) and exported (on), to see what exporting them costs
// the write path. The two alternate, three rounds each, so that a busy machine slows both;
// run it with a fixed -benchtime (20000x) so each round starts one cluster.
func BenchmarkKVPutRaftMetrics(b *testing.B) {
	raftmetrics.Collector() // installs the sink once; useRaftMetrics switches from here on
	defer useRaftMetrics(b, true)
	for round := range 3 {
		for _, on := range []bool{false, true} {
			b.Run(fmt.Sprintf("round=%d/raftmetrics=%v", round, on), func(b *testing.B) {
				useRaftMetrics(b, on)
				c := clustertest.Start(b, 3)
				url := clustertest.URL(c.Leader())
				hc := benchClient()
				runWrites(b, 32, func(i int64) {
					post(b, hc, "PUT", fmt.Sprintf("%s/v1/kv/k%d", url, i%10000), "", []byte("value"))
				})
			})
		}
	}
}

// useRaftMetrics points go-metrics at the exporting sink, or at go-metrics' default (a
// discarding sink that drops every report before timing it).
func useRaftMetrics(b *testing.B, on bool) {
	var err error
	if on {
		_, err = gometrics.NewGlobal(raftmetrics.Config(), raftmetrics.Collector())
	} else {
		_, err = gometrics.NewGlobal(&gometrics.Config{}, &gometrics.BlackholeSink{})
	}
	if err != nil {
		b.Fatal(err)
	}
}
