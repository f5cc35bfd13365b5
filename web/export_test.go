package web

import "strings"

// RoutePatterns lists the server's routes as "METHOD /path/{param}".
func (s *Server) RoutePatterns() []string {
	var out []string
	for _, r := range s.routes {
		out = append(out, r.method+" "+strings.ReplaceAll(r.pattern, "...}", "}"))
	}
	return out
}
