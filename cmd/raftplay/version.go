package main

import (
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
)

// builtOn are the modules whose versions decide how raftplay behaves: consensus, the log
// store, the state machine, the SQL parser, the wire protocol and the event stream.
var builtOn = []string{
	"github.com/hashicorp/raft",
	"github.com/hashicorp/raft-boltdb",
	"github.com/boltdb/bolt",
	"github.com/tidwall/buntdb",
	"github.com/pganalyze/pg_query_go/v2",
	"github.com/cockroachdb/apd/v3",
	"github.com/jackc/pgx/v5",
	"nhooyr.io/websocket",
}

type versionInfo struct {
	Version string            `json:"version"`
	Commit  string            `json:"commit,omitempty"`
	Go      string            `json:"go"`
	Modules map[string]string `json:"modules"`
}

func readVersion() versionInfo {
	v := versionInfo{Version: "(devel)", Go: runtime.Version(), Modules: map[string]string{}}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return v
	}
	if bi.Main.Version != "" {
		v.Version = bi.Main.Version
	}
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" {
			v.Commit = s.Value
		}
	}
	for _, m := range bi.Deps {
		for _, want := range builtOn {
			if m.Path == want {
				v.Modules[m.Path] = m.Version
			}
		}
	}
	return v
}

func runVersion(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("version", "Print the version of raftplay and of the modules it is built on.", stderr)
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	v := readVersion()
	if *asJSON {
		return json.NewEncoder(stdout).Encode(v)
	}
	line := "raftplay " + v.Version
	if v.Commit != "" {
		line += " (" + v.Commit[:min(12, len(v.Commit))] + ")"
	}
	fmt.Fprintf(stdout, "%s, %s\n", line, v.Go)
	for _, m := range builtOn {
		if ver, ok := v.Modules[m]; ok {
			fmt.Fprintf(stdout, "  %-38s %s\n", m, ver)
		}
	}
	return nil
}
