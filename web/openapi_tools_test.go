package web_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// npmBin is web/testdata/npm's tools directory. Without node or those tools (npm ci
// --prefix web/testdata/npm) the test is skipped, or fails when CI is set.
func npmBin(t *testing.T) string {
	t.Helper()
	bin, err := filepath.Abs(filepath.Join("testdata", "npm", "node_modules", ".bin"))
	if err != nil {
		t.Fatal(err)
	}
	_, nodeErr := exec.LookPath("node")
	_, toolsErr := os.Stat(filepath.Join(bin, "openapi-typescript"))
	if nodeErr != nil || toolsErr != nil {
		const msg = "node and the tools of web/testdata/npm are needed (npm ci --prefix web/testdata/npm)"
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return bin
}

// runTool runs a JavaScript tool and returns its standard output; it fails the test when
// the tool fails.
func runTool(t *testing.T, name string, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	// Nothing leaves the machine: no telemetry, no update checks.
	cmd.Env = append(os.Environ(), "REDOCLY_TELEMETRY=off", "REDOCLY_SUPPRESS_UPDATE_NOTICE=true", "NO_UPDATE_NOTIFIER=1")
	var stderr []byte
	out, err := cmd.Output()
	if ee, ok := err.(*exec.ExitError); ok {
		stderr = ee.Stderr
	}
	if err != nil {
		t.Fatalf("%s %v: %v\n%s\n%s", filepath.Base(name), args, err, out, stderr)
	}
	return out
}

// TestOpenAPIValidators runs two validators on openapi.json: swagger-parser (the OpenAPI
// 3.1 schema and its own checks, every $ref resolved) and redocly lint with the
// recommended rules (testdata/npm/redocly.yaml), which must find nothing, not even a
// warning.
func TestOpenAPIValidators(t *testing.T) {
	bin := npmBin(t)
	npm := filepath.Dir(filepath.Dir(bin))
	runTool(t, "node", filepath.Join(npm, "validate-openapi.js"), "openapi.json")
	out := runTool(t, filepath.Join(bin, "redocly"), "lint", "--config", filepath.Join(npm, "redocly.yaml"), "--format", "json", "openapi.json")
	var report struct {
		Totals struct {
			Errors, Warnings int
		} `json:"totals"`
		Problems []json.RawMessage `json:"problems"`
	}
	if err := json.Unmarshal(out, &report); err != nil {
		t.Fatalf("redocly lint's report: %v\n%s", err, out)
	}
	if report.Totals.Errors+report.Totals.Warnings > 0 || len(report.Problems) > 0 {
		t.Fatalf("redocly lint: %d errors, %d warnings:\n%s", report.Totals.Errors, report.Totals.Warnings, out)
	}
}
