package web

import (
	"testing"
	"time"
)

func TestBatchWindowByStreamCount(t *testing.T) {
	tests := []struct {
		streams int64
		want    time.Duration
	}{
		{0, wsBatchWindow},
		{1, wsBatchWindow},
		{40, wsBatchWindow},
		{100, 100 * wsStreamShare},
		{200, wsMaxBatchWindow},
		{10000, wsMaxBatchWindow},
	}
	for _, tt := range tests {
		var s Server
		s.batchedStreams.Store(tt.streams)
		if got := s.batchWindow(); got != tt.want {
			t.Errorf("%d streams: window %v, want %v", tt.streams, got, tt.want)
		}
	}
}
