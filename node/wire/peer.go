package wire

// EventPeer is a leader losing or regaining contact with a follower, as the leader's node
// saw it (raft's failed-heartbeat observations).
const EventPeer = "peer"

// Peer states in PeerData.State.
const (
	PeerFailed  = "failed"
	PeerResumed = "resumed"
)

// PeerData is the data of an EventPeer event.
type PeerData struct {
	Peer        string `json:"peer"`
	State       string `json:"state"` // PeerFailed or PeerResumed
	LastContact string `json:"last_contact,omitempty"`
}
