package pgwire

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/raftplay/raftplay/node/sql"
	"github.com/raftplay/raftplay/node/wire"
)

const settingConsistency = "raftplay.consistency"

// reportedSettings are sent as ParameterStatus at startup and when they change (drivers
// read them: JDBC insists on UTF8 and ISO dates, pgx and psql on
// standard_conforming_strings).
var reportedSettings = []string{
	"server_version", "server_encoding", "client_encoding", "DateStyle", "IntervalStyle",
	"integer_datetimes", "standard_conforming_strings", "TimeZone", "application_name",
	"is_superuser", "session_authorization",
}

// defaultSettings are a new session's settings, keyed by lower-case name. Most are fixed
// answers for drivers; raftplay.consistency and statement_timeout change behaviour.
func defaultSettings(user string) map[string]string {
	return map[string]string{
		"server_version":                      "15.0 (raftplay)",
		"server_version_num":                  "150000",
		"server_encoding":                     "UTF8",
		"client_encoding":                     "UTF8",
		"datestyle":                           "ISO, MDY",
		"intervalstyle":                       "postgres",
		"integer_datetimes":                   "on",
		"standard_conforming_strings":         "on",
		"timezone":                            "UTC",
		"application_name":                    "",
		"is_superuser":                        "on",
		"session_authorization":               user,
		"search_path":                         `"$user", public`,
		"extra_float_digits":                  "1",
		"statement_timeout":                   "0",
		"lock_timeout":                        "0",
		"idle_in_transaction_session_timeout": "0",
		"transaction_isolation":               "serializable",
		"default_transaction_isolation":       "serializable",
		"transaction_read_only":               "off",
		"default_transaction_read_only":       "off",
		"max_identifier_length":               "63",
		"bytea_output":                        "hex",
		"lc_messages":                         "C",
		"lc_monetary":                         "C",
		"lc_numeric":                          "C",
		"lc_time":                             "C",
		"max_connections":                     "1000",
		settingConsistency:                    wire.ConsistencyLeader,
	}
}

// canonicalName is the spelling ParameterStatus uses for a setting.
func canonicalName(lower string) string {
	for _, n := range reportedSettings {
		if strings.ToLower(n) == lower {
			return n
		}
	}
	return lower
}

// setSetting validates and stores one setting; fixed server properties cannot be set.
func (c *conn) setSetting(name, value string) error {
	name = strings.ToLower(name)
	switch name {
	case settingConsistency:
		v := strings.ToLower(strings.TrimSpace(value))
		switch v {
		case wire.ConsistencyLocal, wire.ConsistencyLeader, wire.ConsistencyLinearizable:
		default:
			return &pgError{Code: sql.StateInvalidParameter, Message: fmt.Sprintf("invalid value for parameter %q: %q", name, value), Hint: "Available values: local, leader, linearizable."}
		}
		value = v
	case "client_encoding":
		switch strings.ToLower(strings.ReplaceAll(value, "-", "")) {
		case "utf8", "unicode":
			value = "UTF8"
		default:
			return pgErr(stateFeatureNotSupported, fmt.Sprintf("client_encoding %q is not supported: only UTF8", value))
		}
	case "statement_timeout":
		ms, err := parseMillis(value)
		if err != nil {
			return pgErr(sql.StateInvalidParameter, fmt.Sprintf("invalid value for parameter \"statement_timeout\": %q", value))
		}
		value = formatMillis(ms)
	case "server_version", "server_version_num", "server_encoding", "integer_datetimes", "max_identifier_length", "is_superuser", "max_connections":
		return pgErr("55P02", fmt.Sprintf("parameter %q cannot be changed", name))
	default:
		if strings.HasPrefix(name, "raftplay.") {
			return pgErr(sql.StateUndefinedObject, fmt.Sprintf("unrecognized configuration parameter %q", name))
		}
	}
	c.settings[name] = value
	return nil
}

// statementTimeout is the session's statement_timeout in milliseconds (0: none).
func (c *conn) statementTimeout() int64 {
	ms, _ := parseMillis(c.settings["statement_timeout"])
	return ms
}

// parseMillis reads a time setting: a number of milliseconds or a number with a unit.
func parseMillis(v string) (int64, error) {
	v = strings.TrimSpace(strings.ToLower(v))
	units := []struct {
		suffix string
		ms     float64
	}{{"ms", 1}, {"us", 0.001}, {"min", 60000}, {"s", 1000}, {"h", 3600000}, {"d", 86400000}} // longer suffixes first: "us" ends in "s"
	mult := 1.0
	for _, u := range units {
		if strings.HasSuffix(v, u.suffix) {
			v, mult = strings.TrimSpace(strings.TrimSuffix(v, u.suffix)), u.ms
			break
		}
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < 0 {
		return 0, fmt.Errorf("bad time %q", v)
	}
	return int64(f * mult), nil
}

// formatMillis shows a time setting as PostgreSQL does: in the largest unit that holds it
// exactly (1500ms, 5s, 2min, 1h, 1d), 0 without one.
func formatMillis(ms int64) string {
	if ms == 0 {
		return "0"
	}
	for _, u := range []struct {
		name string
		ms   int64
	}{{"d", 86400000}, {"h", 3600000}, {"min", 60000}, {"s", 1000}} {
		if ms%u.ms == 0 {
			return strconv.FormatInt(ms/u.ms, 10) + u.name
		}
	}
	return strconv.FormatInt(ms, 10) + "ms"
}

// settingName reads a (possibly dotted) setting name starting at token i.
func settingName(s stmt, i int) (string, int) {
	var parts []string
	for i < len(s.toks) {
		t := s.toks[i]
		if t.kind != tWord && t.kind != tIdent {
			break
		}
		parts = append(parts, strings.ToLower(t.val))
		i++
		if i < len(s.toks) && s.toks[i].kind == tOp && s.toks[i].val == "." {
			i++
			continue
		}
		break
	}
	return strings.Join(parts, "."), i
}

// settingValue joins the value tokens from i: words and numbers as written, strings by
// their contents, lists with ", ".
func settingValue(s stmt, i int) string {
	var parts []string
	cur := ""
	for ; i < len(s.toks); i++ {
		t := s.toks[i]
		switch {
		case t.kind == tOp && t.val == ",":
			parts = append(parts, cur)
			cur = ""
		case t.kind == tString || t.kind == tIdent:
			cur += t.val
		default:
			cur += s.text[t.pos:t.end]
		}
	}
	return strings.Join(append(parts, cur), ", ")
}

// session answers SET, SHOW, RESET, DISCARD and DEALLOCATE.
func (c *conn) session(s stmt, k kind) ([]wire.SQLResult, error) {
	switch k {
	case kSet:
		return c.set(s)
	case kShow:
		return c.show(s)
	case kReset:
		name, _ := settingName(s, 1)
		if name == "all" {
			c.settings = defaultSettings(c.user)
		} else if def, ok := defaultSettings(c.user)[name]; ok {
			c.settings[name] = def
		} else {
			delete(c.settings, name)
		}
		return tag("RESET"), nil
	case kDiscard:
		c.settings = defaultSettings(c.user)
		c.stmts, c.portals = map[string]*prepared{}, map[string]*portal{}
		return tag("DISCARD ALL"), nil
	case kDeallocate:
		i := 1
		if s.word(i) == "prepare" {
			i++
		}
		if s.word(i) == "all" {
			c.stmts = map[string]*prepared{}
			return tag("DEALLOCATE ALL"), nil
		}
		name, _ := settingName(s, i)
		if _, ok := c.stmts[name]; !ok {
			return nil, pgErr(stateUndefinedPstmt, fmt.Sprintf("prepared statement %q does not exist", name))
		}
		delete(c.stmts, name)
		return tag("DEALLOCATE"), nil
	}
	return nil, fmt.Errorf("session statement of kind %d", k)
}

func (c *conn) set(s stmt) ([]wire.SQLResult, error) {
	i := 1
	if w := s.word(i); w == "session" || w == "local" {
		i++
	}
	var name string
	switch {
	case s.word(i) == "transaction" || s.word(i) == "characteristics":
		return tag("SET"), nil // isolation is always that of one raft entry
	case s.word(i) == "time" && s.word(i+1) == "zone":
		name, i = "timezone", i+2
	case s.word(i) == "names":
		name, i = "client_encoding", i+1
	default:
		name, i = settingName(s, i)
		if name == "" {
			return nil, pgErr(sql.StateSyntax, "syntax error in SET")
		}
		if s.word(i) == "to" || (i < len(s.toks) && s.toks[i].kind == tOp && s.toks[i].val == "=") {
			i++
		} else {
			return nil, pgErr(sql.StateSyntax, "syntax error in SET: expected TO or =")
		}
	}
	if i >= len(s.toks) {
		return nil, pgErr(sql.StateSyntax, "syntax error in SET: missing value")
	}
	value := settingValue(s, i)
	if i == len(s.toks)-1 && s.toks[i].kind == tWord && (s.toks[i].val == "default" || (name == "timezone" && s.toks[i].val == "local")) {
		value = defaultSettings(c.user)[name]
	}
	if err := c.setSetting(name, value); err != nil {
		return nil, err
	}
	for _, r := range reportedSettings {
		if strings.ToLower(r) == name {
			c.be.Send(&pgproto3.ParameterStatus{Name: r, Value: c.settings[name]})
		}
	}
	return tag("SET"), nil
}

func (c *conn) show(s stmt) ([]wire.SQLResult, error) {
	name, _ := settingName(s, 1)
	switch {
	case name == "time" && s.word(2) == "zone":
		name = "timezone"
	case name == "transaction" && s.word(2) == "isolation":
		name = "transaction_isolation"
	case name == "all":
		names := make([]string, 0, len(c.settings))
		for n := range c.settings {
			names = append(names, n)
		}
		sort.Strings(names)
		res := wire.SQLResult{Columns: []wire.SQLColumn{{Name: "name", Type: "text"}, {Name: "setting", Type: "text"}}, Command: "SHOW"}
		for _, n := range names {
			res.Rows = append(res.Rows, []any{canonicalName(n), c.settings[n]})
		}
		return []wire.SQLResult{res}, nil
	}
	v, ok := c.settings[name]
	if !ok {
		return nil, pgErr(sql.StateUndefinedObject, fmt.Sprintf("unrecognized configuration parameter %q", name))
	}
	return []wire.SQLResult{{Columns: []wire.SQLColumn{{Name: name, Type: "text"}}, Rows: [][]any{{v}}, Command: "SHOW"}}, nil
}

// showColumns is what a SHOW returns, for Describe.
func showColumns(s stmt) []wire.SQLColumn {
	name, _ := settingName(s, 1)
	switch {
	case name == "time" && s.word(2) == "zone":
		name = "timezone"
	case name == "transaction" && s.word(2) == "isolation":
		name = "transaction_isolation"
	case name == "all":
		return []wire.SQLColumn{{Name: "name", Type: "text"}, {Name: "setting", Type: "text"}}
	}
	return []wire.SQLColumn{{Name: name, Type: "text"}}
}

func tag(command string) []wire.SQLResult { return []wire.SQLResult{{Command: command}} }
