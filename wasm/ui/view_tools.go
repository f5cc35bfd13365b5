package ui

import "strings"

// viewFaultTools is the partition builder and the scenario runner.
func (s *State) viewFaultTools() *V {
	ids := s.NodeIDs()
	picks := make([]*V, 0, len(ids))
	for _, id := range ids {
		cur := s.PartitionPick(id)
		opts := make([]*V, len(PartitionLetters))
		for i, l := range PartitionLetters {
			opts[i] = option(l, l, cur)
		}
		sel := El("select", A{"data-testid": "partition-group", "data-node-id": id, "data-field": "part:" + id, "data-change": "part:" + id, "aria-label": "Partition group of " + id}, opts...)
		// Forced into the select when the pick changes or a partition starts or ends: once
		// the user has chosen, the browser no longer follows the options' selected attribute.
		sel.Value = &Value{Text: cur, Rev: len(s.Faults.Partition)}
		picks = append(picks, El("label", A{"class": "inline part-pick"}, T(id), sel).Keyed(id))
	}
	active := "none"
	if len(s.Faults.Partition) > 0 {
		groups := make([]string, len(s.Faults.Partition))
		for i, g := range s.Faults.Partition {
			groups[i] = "{" + strings.Join(g, " ") + "}"
		}
		active = strings.Join(groups, " | ")
	}
	sc := s.Scenario
	opts := make([]*V, len(s.Scenarios))
	for i, x := range s.Scenarios {
		opts[i] = El("option", A{"value": x.Name, "title": x.Description}, T(x.Name))
	}
	var scState *V
	if sc.Name != "" {
		cls := "sc-state"
		text := sc.Name + ": " + sc.Step
		if sc.Running {
			cls += " running"
		}
		if sc.Failed {
			cls += " failed"
		}
		scState = El("div", A{"class": cls, "data-testid": "scenario-state", "data-scenario": sc.Name, "data-running": boolText(sc.Running)}, T(text))
	}
	run := A{"type": "button", "data-testid": "scenario-run", "data-click": "scenario-run"}
	if sc.Running {
		run["aria-busy"] = "true"
	}
	if len(s.Scenarios) == 0 {
		run["disabled"] = ""
		run["title"] = "this server offers no scenarios"
	}
	return El("div", A{"class": "fault-tools"},
		El("div", A{"class": "tool"},
			El("div", A{"class": "sub"}, T("Partition"), El("span", A{"class": "muted small", "data-testid": "partition-active", "data-partition": active}, T(" · active: "+active))),
			El("div", A{"class": "row wrap"}, append(picks,
				El("button", A{"type": "button", "data-testid": "partition-apply", "data-click": "partition-apply", "title": "nodes in different groups cannot reach each other"}, T("Apply partition")).Keyed("apply"))...),
		),
		El("div", A{"class": "tool"},
			El("div", A{"class": "sub"}, T("Scenario")),
			El("div", A{"class": "row wrap"},
				El("select", A{"data-testid": "scenario", "data-field": "scenario", "aria-label": "Scenario"}, opts...),
				El("button", run, T("Run scenario")),
			),
			scState,
		),
	)
}

func boolText(b bool) string {
	if b {
		return "true"
	}
	return "false"
}
