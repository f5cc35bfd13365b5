package ui

// TakeToken returns the token the user entered since the last call, for the app to keep and
// connect with.
func (s *State) TakeToken() (string, bool) {
	t := s.token
	s.token = ""
	return t, t != ""
}

// viewToken asks for the cluster's token while the server refuses the page without it.
func (s *State) viewToken() *V {
	if s.Conn != ConnUnauthorized {
		return nil
	}
	return El("section", A{"class": "panel token-prompt", "data-testid": "token-prompt", "data-reason": s.ConnError, "aria-label": "Access token"},
		El("h2", nil, T("This cluster needs its access token")),
		El("p", nil, T(s.ConnError+". Open the address `raftplay play` prints (it ends in #token=…), or paste the token the cluster was started with (--auth-token). It is kept for this tab only.")),
		El("div", A{"class": "token-row"},
			El("input", A{"type": "password", "data-testid": "token-input", "data-field": "token", "data-key": "token",
				"placeholder": "access token", "aria-label": "Access token", "autocomplete": "off"}),
			El("button", A{"type": "button", "class": "primary", "data-testid": "token-save", "data-click": "token-save"}, T("Connect")),
		),
	)
}
