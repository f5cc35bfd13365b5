package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
)

// Completion scripts know the commands; flags they ask the binary for at completion time
// ("raftplay __flags <command>", which reads the command's own help), so the scripts
// never fall behind the flags.
const bashCompletion = `# bash completion for raftplay: source <(raftplay completion bash)
_raftplay() {
  local cur=${COMP_WORDS[COMP_CWORD]}
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=($(compgen -W "%[1]s help" -- "$cur"))
  elif [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$(raftplay __flags "${COMP_WORDS[1]}" 2>/dev/null)" -- "$cur"))
  else
    COMPREPLY=($(compgen -f -- "$cur"))
  fi
}
complete -F _raftplay raftplay
`

const zshCompletion = `#compdef raftplay
# zsh completion for raftplay: raftplay completion zsh > "${fpath[1]}/_raftplay"
_raftplay() {
  if (( CURRENT == 2 )); then
    compadd -- %[1]s help
  elif [[ $words[CURRENT] == -* ]]; then
    compadd -- ${(f)"$(raftplay __flags $words[2] 2>/dev/null)"}
  else
    _files
  fi
}
compdef _raftplay raftplay
`

const fishCompletion = `# fish completion for raftplay: raftplay completion fish > ~/.config/fish/completions/raftplay.fish
complete -c raftplay -f -n '__fish_use_subcommand' -a '%[1]s help'
complete -c raftplay -n 'not __fish_use_subcommand' -a '(raftplay __flags (commandline -opc)[2] 2>/dev/null)'
`

func runCompletion(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("completion", "Print a completion script for bash, zsh or fish:\n  source <(raftplay completion bash)", stderr)
	if err := parseFlagsAndArgs(fs, args); err != nil {
		return err
	}
	scripts := map[string]string{"bash": bashCompletion, "zsh": zshCompletion, "fish": fishCompletion}
	if fs.NArg() != 1 || scripts[fs.Arg(0)] == "" {
		fs.Usage()
		return fmt.Errorf("completion needs one shell: bash, zsh or fish")
	}
	fmt.Fprintf(stdout, scripts[fs.Arg(0)], strings.Join(commands, " "))
	return nil
}

// printFlags prints a command's flags, one --name a line, for the completion scripts.
func printFlags(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) != 1 {
		return nil
	}
	known := false
	for _, c := range commands {
		known = known || c == args[0]
	}
	if !known {
		return nil
	}
	var help bytes.Buffer
	run([]string{args[0], "--help"}, io.Discard, &help)
	for _, f := range flagNames(help.String()) {
		fmt.Fprintln(stdout, f)
	}
	return nil
}

// flagNames lists the flags in a flag set's help as --name.
func flagNames(help string) []string {
	var out []string
	for _, line := range strings.Split(help, "\n") {
		if strings.HasPrefix(line, "  -") {
			out = append(out, "-"+strings.Fields(line)[0])
		}
	}
	return out
}
