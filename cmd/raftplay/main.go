// Command raftplay is the one raftplay binary: the playground (an embedded cluster and the
// browser app), a single native node, and clients for them.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

const usage = `raftplay: a Raft playground backed by a real hashicorp/raft cluster.

Usage:
  raftplay <command> [flags]

Commands:
  play        run an embedded cluster and the browser playground (make run)
  node        run one node (for clusters of separate processes)
  sql         run SQL against any node, or open a SQL shell
  watch       print the cluster's live event stream
  bench       measure a cluster (an embedded one by default)
  certs       make a throwaway CA and node certificates for TLS
  version     print the version of raftplay and of the parts it is built on
  completion  print a shell completion script: raftplay completion bash|zsh|fish

Run "raftplay <command> --help" for the flags of a command. Every flag can also be set
in the environment: --http-addr as RAFTPLAY_HTTP_ADDR.
`

// commands are the subcommands, for dispatch, help and shell completion.
var commands = []string{"play", "node", "sql", "watch", "bench", "certs", "version", "completion"}

func main() {
	useMoreProcessorsThanCores()
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "raftplay:", err)
			os.Exit(1)
		}
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stdout, usage) // a bare command explains itself; it starts nothing
		return nil
	}
	cmd, args := args[0], args[1:]
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	switch cmd {
	case "play":
		return runPlay(ctx, args, stdout, stderr)
	case "node":
		return runNode(ctx, args, stdout, stderr)
	case "bench":
		return runBench(ctx, args, stdout, stderr)
	case "watch":
		return runWatch(ctx, args, stdout, stderr)
	case "sql":
		return runSQLCmd(ctx, args, os.Stdin, stdout, stderr)
	case "certs":
		return runCerts(ctx, args, stdout, stderr)
	case "version", "--version", "-version", "-v":
		return runVersion(args, stdout, stderr)
	case "completion":
		return runCompletion(args, stdout, stderr)
	case "__flags":
		return printFlags(ctx, args, stdout)
	case "help", "-h", "-help", "--help":
		if len(args) == 1 {
			if err := run([]string{args[0], "--help"}, stdout, stdout); !errors.Is(err, flag.ErrHelp) {
				return err
			}
			return nil
		}
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	if strings.HasPrefix(cmd, "-") {
		return fmt.Errorf("flags come after a command, as in \"raftplay play %s\"", cmd)
	}
	return fmt.Errorf("unknown command %q", cmd)
}

// newFlagSet returns a flag set whose flags also read RAFTPLAY_<NAME> environment
// variables (RAFTPLAY_HTTP_ADDR for --http-addr); flags on the command line win.
func newFlagSet(name, summary string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: raftplay %s [flags]\n\n%s\n\nFlags (each also read from RAFTPLAY_<FLAG> in the environment, e.g. --http-addr from RAFTPLAY_HTTP_ADDR):\n", name, summary)
		fs.PrintDefaults()
	}
	return fs
}

func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := parseFlagsAndArgs(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	return nil
}

// parseFlagsAndArgs is parseFlags for a command that also takes arguments.
func parseFlagsAndArgs(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if set[f.Name] || err != nil {
			return
		}
		env := "RAFTPLAY_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if v, ok := os.LookupEnv(env); ok {
			if e := f.Value.Set(v); e != nil {
				err = fmt.Errorf("%s=%q: %w", env, v, e)
			}
		}
	})
	return err
}

func newLogger(w io.Writer, level string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("log level %q: %w", level, err)
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l})), nil
}

// splitList splits a comma-separated flag value, dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}
