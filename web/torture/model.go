package torture

import (
	"fmt"
	"hash/fnv"
	"sort"

	"github.com/anishathalye/porcupine"
)

// A register operation. Values are unique per write, so a read names the write it saw;
// the empty string means the key does not exist.
type regInput struct {
	Op    string // "get", "put", "cas"
	Key   string
	Value string // put / cas: the new value
	Old   string // cas: the expected value
}

type regOutput struct {
	Value   string // get: the value read
	OK      bool   // cas: it matched and wrote
	Unknown bool   // a write whose outcome is unknown: either it took effect or it never will
	// Current is what a failed cas reported as the current value (HasCurrent false: not
	// reported), checked against the model too.
	Current    string
	HasCurrent bool
}

// registerModel is a set of independent registers, checked one key at a time.
var registerModel = porcupine.Model{
	Partition: func(history []porcupine.Operation) [][]porcupine.Operation {
		byKey := map[string][]porcupine.Operation{}
		for _, op := range history {
			k := op.Input.(regInput).Key
			byKey[k] = append(byKey[k], op)
		}
		keys := make([]string, 0, len(byKey))
		for k := range byKey {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		out := make([][]porcupine.Operation, 0, len(keys))
		for _, k := range keys {
			out = append(out, byKey[k])
		}
		return out
	},
	Init: func() any { return "" },
	Step: func(state, input, output any) (bool, any) {
		s, in, out := state.(string), input.(regInput), output.(regOutput)
		switch in.Op {
		case "get":
			return out.Value == s, s
		case "put":
			return true, in.Value
		case "cas":
			if out.Unknown {
				// If it takes effect it is a CAS like any other; if it never does, the
				// checker places it after everything else, where its effect is moot.
				if s == in.Old {
					return true, in.Value
				}
				return true, s
			}
			if out.OK {
				return s == in.Old, in.Value
			}
			return s != in.Old && (!out.HasCurrent || out.Current == s), s
		}
		return false, s
	},
	Hash: func(state any) uint64 {
		h := fnv.New64a()
		h.Write([]byte(state.(string)))
		return h.Sum64()
	},
	DescribeOperation: func(input, output any) string {
		in, out := input.(regInput), output.(regOutput)
		switch in.Op {
		case "get":
			return fmt.Sprintf("get(%s) -> %q", in.Key, out.Value)
		case "put":
			if out.Unknown {
				return fmt.Sprintf("put(%s, %q) -> ?", in.Key, in.Value)
			}
			return fmt.Sprintf("put(%s, %q)", in.Key, in.Value)
		default:
			res := fmt.Sprint(out.OK)
			if out.Unknown {
				res = "?"
			}
			return fmt.Sprintf("cas(%s, %q -> %q) -> %s", in.Key, in.Old, in.Value, res)
		}
	},
	DescribeState: func(state any) string { return fmt.Sprintf("%q", state.(string)) },
}
