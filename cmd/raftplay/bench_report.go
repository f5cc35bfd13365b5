package main

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"text/tabwriter"
	"time"
)

// Statistics of a workload and how the results are printed.

func percentiles(d []time.Duration) map[string]float64 {
	if len(d) == 0 {
		return nil
	}
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	at := func(p float64) float64 {
		return float64(d[min(len(d)-1, int(p*float64(len(d))))].Microseconds()) / 1000
	}
	return map[string]float64{"p50": at(0.50), "p90": at(0.90), "p99": at(0.99), "max": float64(d[len(d)-1].Microseconds()) / 1000}
}

func printBench(w io.Writer, rs []benchResult, asJSON, embedded bool) {
	if asJSON {
		enc := json.NewEncoder(w)
		for _, r := range rs {
			enc.Encode(r)
		}
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "workload\ttiming\tlog\tclients\tops\terrors\tops/s\tp50 ms\tp90 ms\tp99 ms\tmax ms\tcpu s\trss MiB\t")
	for _, r := range rs {
		l := r.LatencyMS
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\t%.0f\t%.2f\t%.2f\t%.2f\t%.2f\t%.1f\t%.0f\t\n", r.Workload, r.Timing, r.LogStore, r.Clients, r.Ops, r.Errors, r.OpsPerSec,
			l["p50"], l["p90"], l["p99"], l["max"], r.CPUSeconds, r.RSSMiB)
	}
	tw.Flush()
	for _, r := range rs {
		if len(r.Extra) > 0 {
			keys := make([]string, 0, len(r.Extra))
			for k := range r.Extra {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			fmt.Fprintf(w, "%s:", r.Workload)
			for _, k := range keys {
				fmt.Fprintf(w, " %s=%.2f", k, r.Extra[k])
			}
			fmt.Fprintln(w)
		}
	}
	if embedded {
		fmt.Fprintln(w, "(cpu and rss: the whole process — the embedded cluster and the load generator)")
	}
}
