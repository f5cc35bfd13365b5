package web

import "github.com/raftplay/raftplay/node/eventbus"

// SetHistoryLimits makes the hubs created from now on keep what lim allows, so that tests
// can watch eviction without filling 200,000 events; the function it returns restores the
// limits.
func SetHistoryLimits(lim eventbus.Limits) (restore func()) {
	historyLimits.Lock()
	old := historyLimits.lim
	historyLimits.lim = lim
	historyLimits.Unlock()
	return func() {
		historyLimits.Lock()
		historyLimits.lim = old
		historyLimits.Unlock()
	}
}
