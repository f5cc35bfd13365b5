package raftmetrics

import (
	"strings"

	"github.com/prometheus/client_golang/prometheus"
)

// go-metrics does not say what a sample or a gauge measures: raft's timers (MeasureSince)
// and its plain samples both arrive as AddSample. These tables, from raft v1.8.0's
// sources, name the exceptions; everything else raft samples is a timer in milliseconds.
var (
	// plainSamples are samples that are not durations, with the buckets that fit them.
	plainSamples = map[string][]float64{
		"raft.fsm.applyBatchNum":      prometheus.ExponentialBuckets(1, 2, 10), // entries
		"raft.thread.main.saturation": prometheus.LinearBuckets(0.1, 0.1, 10),  // 0 to 1
		"raft.thread.fsm.saturation":  prometheus.LinearBuckets(0.1, 0.1, 10),
	}
	// millisecondGauges are gauges raft sets in milliseconds.
	millisecondGauges = map[string]bool{
		"raft.fsm.lastRestoreDuration": true,
		"raft.leader.oldestLogAge":     true,
	}
	// durationBuckets span 100 µs to 13 s.
	durationBuckets = prometheus.ExponentialBuckets(0.0001, 2, 18)
)

// describe names the metric of one of raft's keys and says how to scale its values.
func describe(k kind, key []string) (name, help string, scale float64, buckets []float64) {
	dotted := strings.Join(key, ".")
	name = Prefix + Snake(strings.Join(key, "_"))
	help = "hashicorp/raft's " + dotted + " (process-wide)"
	scale = 1
	switch k {
	case counter:
		name += "_total"
	case gauge:
		if millisecondGauges[dotted] {
			name, scale = name+"_seconds", 0.001
			help += ", in seconds"
		}
	case sample:
		if b, ok := plainSamples[dotted]; ok {
			return name, help, 1, b
		}
		name, scale, buckets = name+"_seconds", 0.001, durationBuckets
		help += ", in seconds"
	}
	return name, help + ".", scale, buckets
}
