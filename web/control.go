package web

import (
	"context"

	"github.com/raftplay/raftplay/node/wire"
)

// faults describes the active faults.
func (s *Server) faults(context.Context) wire.Faults {
	f := wire.Faults{Down: []string{}, Isolated: []string{}, Links: []wire.Link{}, Speed: "realtime"}
	return f
}
