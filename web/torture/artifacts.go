package torture

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/anishathalye/porcupine"
)

// artifactDir is where a failed run leaves its evidence: cfg.ArtifactDir, or a directory
// under the system temp dir that outlives the test.
func artifactDir(t testing.TB, cfg Config) string {
	dir := cfg.ArtifactDir
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "raftplay-torture")
	}
	dir = filepath.Join(dir, fmt.Sprintf("seed-%d", cfg.Seed))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Logf("artifacts: %v", err)
	}
	return dir
}

// writeHistory writes porcupine's visualisation of the register history.
func writeHistory(t testing.TB, cfg Config, info porcupine.LinearizationInfo) string {
	path := filepath.Join(artifactDir(t, cfg), "history.html")
	if err := porcupine.VisualizePath(registerModel, info, path); err != nil {
		t.Logf("visualize: %v", err)
	}
	t.Logf("seed %d: register history visualisation: %s", cfg.Seed, path)
	return path
}

// finish writes the fault timeline, the report and the raw register history when the run
// found a violation or failed, and returns rep and err.
func finish(t testing.TB, cfg Config, rep Report, h *history, tl *timeline, err error) (Report, error) {
	if rep.Violations == 0 && err == nil {
		return rep, nil
	}
	dir := artifactDir(t, cfg)
	files := map[string]string{
		"timeline.txt": tl.String(),
		"report.txt":   rep.String() + "\n" + strings.Join(rep.Problems, "\n") + "\n" + fmt.Sprint(err) + "\n",
	}
	if b, jerr := json.MarshalIndent(h.operations(), "", " "); jerr == nil {
		files["history.json"] = string(b)
	}
	for name, body := range files {
		path := filepath.Join(dir, name)
		if werr := os.WriteFile(path, []byte(body), 0o644); werr != nil {
			t.Logf("artifacts: %v", werr)
			continue
		}
		rep.Artifacts = append(rep.Artifacts, path)
		t.Logf("seed %d: %s", cfg.Seed, path)
	}
	return rep, err
}
