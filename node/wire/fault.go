package wire

// FaultData is the data of an EventFault event: what changed and every fault in force
// after it. A scenario announces its steps as faults with the action
// "scenario:<name>: <step>", the last of them "done" or "stopped: <why>".
type FaultData struct {
	Faults
	Action string `json:"action"`
	Target string `json:"target,omitempty"`
}

// Scenario is a scripted sequence of faults the playground server can run, as its hello
// lists them.
type Scenario struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}
