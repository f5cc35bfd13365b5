package main

import (
	"os"
	"runtime"
	"testing"
)

func TestMoreProcessorsThanCoresUnlessGOMAXPROCSIsSet(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	tests := []struct {
		env  string // "" means unset
		from int
		want int
	}{
		{env: "", from: 2, want: 4},
		{env: "", from: 1, want: 2},
		{env: "3", from: 3, want: 3},
	}
	for _, tt := range tests {
		if tt.env == "" {
			old, had := os.LookupEnv("GOMAXPROCS")
			os.Unsetenv("GOMAXPROCS")
			if had {
				defer os.Setenv("GOMAXPROCS", old)
			}
		} else {
			t.Setenv("GOMAXPROCS", tt.env)
		}
		runtime.GOMAXPROCS(tt.from)
		useMoreProcessorsThanCores()
		if got := runtime.GOMAXPROCS(0); got != tt.want {
			t.Errorf("GOMAXPROCS=%q from %d: %d processors, want %d", tt.env, tt.from, got, tt.want)
		}
	}
}
