package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestCommandLine runs the binary's entry point in process: a bare raftplay and --help
// print the commands and return at once (nothing is started: the call returns), version
// names the modules, completion scripts and the flag lister work, and mistakes are
// explained.
func TestCommandLine(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		want    []string
		wantErr string
	}{
		{"bare", nil, append([]string{"Usage:"}, commands...), ""},
		{"--help", []string{"--help"}, commands, ""},
		{"help", []string{"help"}, commands, ""},
		{"help for a command", []string{"help", "sql"}, []string{"-addr", "-consistency"}, ""},
		{"version", []string{"version"}, []string{"raftplay ", "github.com/hashicorp/raft ", "github.com/tidwall/buntdb", "github.com/pganalyze/pg_query_go/v2", "github.com/boltdb/bolt"}, ""},
		{"--version", []string{"--version"}, []string{"github.com/hashicorp/raft-boltdb"}, ""},
		{"version as JSON", []string{"version", "--json"}, []string{`"modules":{`, `"go":"go`}, ""},
		{"bash completion", []string{"completion", "bash"}, []string{"complete -F _raftplay raftplay", "play node sql watch"}, ""},
		{"zsh completion", []string{"completion", "zsh"}, []string{"#compdef raftplay"}, ""},
		{"fish completion", []string{"completion", "fish"}, []string{"complete -c raftplay"}, ""},
		{"completion of a command's flags", []string{"__flags", "watch"}, []string{"--addr\n", "--types\n", "--heartbeats\n"}, ""},
		{"no such shell", []string{"completion", "tcsh"}, nil, "bash, zsh or fish"},
		{"unknown command", []string{"serve"}, nil, `unknown command "serve"`},
		{"flags before a command", []string{"--http-addr", ":1"}, nil, `raftplay play --http-addr`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			err := run(tt.args, &out, &errOut)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("%v\n%s", err, errOut.String())
			}
			for _, w := range tt.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, out.String())
				}
			}
		})
	}
}
