package ui

import (
	"strconv"
	"strings"
	"time"

	"github.com/raftplay/raftplay/node/wire"
)

// metricsWindow is how many one-second buckets the sparkline shows.
const metricsWindow = 30

// Metrics counts, per second of the page's clock, the entries the leader applied (write
// throughput) and the round trips of the page's own commands (send → result).
type Metrics struct {
	buckets [metricsWindow]bucket
}

type bucket struct {
	sec     int64
	applies int
	latSum  time.Duration
	latN    int
}

func (m *Metrics) at(now time.Time) *bucket {
	sec := now.Unix()
	b := &m.buckets[((sec%metricsWindow)+metricsWindow)%metricsWindow]
	if b.sec != sec {
		*b = bucket{sec: sec}
	}
	return b
}

func (m *Metrics) apply(now time.Time) { m.at(now).applies++ }

func (m *Metrics) latency(now time.Time, d time.Duration) {
	if d < 0 {
		return
	}
	b := m.at(now)
	b.latSum += d
	b.latN++
}

// Sample is one second of the sparkline; Latency is zero when no command finished in it.
type Sample struct {
	Applies int
	Latency time.Duration
}

// Series returns the last metricsWindow seconds up to now, oldest first.
func (m *Metrics) Series(now time.Time) []Sample {
	out := make([]Sample, metricsWindow)
	last := now.Unix()
	for i := range out {
		sec := last - int64(metricsWindow-1-i)
		b := m.buckets[((sec%metricsWindow)+metricsWindow)%metricsWindow]
		if b.sec != sec {
			continue
		}
		out[i].Applies = b.applies
		if b.latN > 0 {
			out[i].Latency = b.latSum / time.Duration(b.latN)
		}
	}
	return out
}

// Rate is the writes applied by the leader in the last complete second, and the mean
// latency of the commands that finished in the last ten seconds.
func (m *Metrics) Rate(now time.Time) (int, time.Duration) {
	s := m.Series(now)
	rate := s[len(s)-2].Applies
	var sum time.Duration
	n := 0
	for _, x := range s[len(s)-10:] {
		if x.Latency > 0 {
			sum += x.Latency
			n++
		}
	}
	if n == 0 {
		return rate, 0
	}
	return rate, sum / time.Duration(n)
}

// viewSparkline draws the throughput as bars and the latency as a line.
func (s *State) viewSparkline() *V {
	const w, h = 120.0, 26.0
	series := s.Metrics.Series(s.Now)
	maxA, maxL := 1, time.Millisecond
	for _, x := range series {
		maxA = max(maxA, x.Applies)
		maxL = max(maxL, x.Latency)
	}
	bw := w / float64(len(series))
	var bars []*V
	var pts []string
	for i, x := range series {
		if x.Applies > 0 {
			bh := max(1, h*float64(x.Applies)/float64(maxA))
			bars = append(bars, S("rect", A{"x": f(float64(i) * bw), "y": f(h - bh), "width": f(max(bw-0.6, 0.6)), "height": f(bh)}))
		}
		if x.Latency > 0 {
			pts = append(pts, f(float64(i)*bw+bw/2)+","+f(h-1-(h-2)*float64(x.Latency)/float64(maxL)))
		}
	}
	var line *V
	switch len(pts) {
	case 0:
	case 1:
		xy := strings.Split(pts[0], ",")
		line = S("circle", A{"class": "lat", "cx": xy[0], "cy": xy[1], "r": "1.6"})
	default:
		line = S("polyline", A{"class": "lat", "points": strings.Join(pts, " ")})
	}
	rate, lat := s.Metrics.Rate(s.Now)
	latText := "–"
	latMS := ""
	if lat > 0 {
		latText = ms(lat)
		latMS = strconv.FormatFloat(float64(lat.Microseconds())/1000, 'f', 1, 64)
	}
	title := "Writes applied by the leader per second (bars) and the latency of this page's commands (line), last 30 seconds"
	return El("div", A{"class": "stat spark", "data-testid": "sparkline", "data-rate": strconv.Itoa(rate), "data-latency-ms": latMS, "title": title},
		El("span", A{"class": "k"}, T("writes/s")),
		El("b", nil, T(strconv.Itoa(rate))),
		S("svg", A{"class": "sparkline", "viewBox": "0 0 " + f(w) + " " + f(h), "width": f(w), "height": f(h), "aria-hidden": "true"},
			S("g", A{"class": "bars"}, bars...), line),
		El("span", A{"class": "k"}, T("latency")),
		El("b", A{"class": "lat-text"}, T(latText)),
	)
}

func ms(d time.Duration) string {
	v := float64(d.Microseconds()) / 1000
	if v >= 100 {
		return strconv.FormatFloat(v, 'f', 0, 64) + " ms"
	}
	return strconv.FormatFloat(v, 'f', 1, 64) + " ms"
}

// countApply counts an entry applied on the leader as one write.
func (s *State) countApply(ev wire.Event, now time.Time) {
	if ev.Node != "" && ev.Node == s.Leader {
		s.Metrics.apply(now)
	}
}
