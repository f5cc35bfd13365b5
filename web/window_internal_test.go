package web

import (
	"errors"
	"net/url"
	"testing"
	"time"
)

func TestBatchWindowByStreamCount(t *testing.T) {
	tests := []struct {
		streams int64
		asked   time.Duration
		want    time.Duration
	}{
		{0, 0, wsBatchWindow},
		{1, 0, wsBatchWindow},
		{40, 0, wsBatchWindow},
		{100, 0, 100 * wsStreamShare},
		{200, 0, 200 * wsStreamShare},
		{300, 0, wsMaxBatchWindow},
		{10000, 0, wsMaxBatchWindow},
		// A client may ask for a shorter window while the server is not crowded, and for
		// a longer one always.
		{2, 5 * time.Millisecond, 5 * time.Millisecond},
		{100, 5 * time.Millisecond, 100 * wsStreamShare},
		{100, time.Second, time.Second},
	}
	for _, tt := range tests {
		var s Server
		s.batchedStreams.Store(tt.streams)
		if got := s.batchWindow(tt.asked); got != tt.want {
			t.Errorf("%d streams, asked %v: window %v, want %v", tt.streams, tt.asked, got, tt.want)
		}
	}
}

func TestParseFilter(t *testing.T) {
	tests := []struct {
		query  string
		batch  bool
		window time.Duration
		bad    bool
	}{
		{query: ""},
		{query: "batch=true", batch: true},
		{query: "window=5ms", batch: true, window: 5 * time.Millisecond},
		{query: "batch=true&window=1s", batch: true, window: time.Second},
		{query: "window=500us", bad: true},
		{query: "window=2s", bad: true},
		{query: "window=0", bad: true},
		{query: "window=soon", bad: true},
		{query: "batch=maybe", bad: true},
		{query: "heartbeats=some", bad: true},
		{query: "since=-1", bad: true},
	}
	for _, tt := range tests {
		q, err := url.ParseQuery(tt.query)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parseFilter(q)
		if tt.bad {
			if !errors.Is(err, errBadRequest) {
				t.Errorf("%q: err %v, want a bad request", tt.query, err)
			}
			continue
		}
		if err != nil || f.batch != tt.batch || f.window != tt.window {
			t.Errorf("%q: batch %v window %v err %v, want batch %v window %v", tt.query, f.batch, f.window, err, tt.batch, tt.window)
		}
	}
}
