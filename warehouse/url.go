package warehouse

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// ErrNoTable reports a URL without ?table=, or a table the server does not
// have.
var ErrNoTable = errors.New("no such table")

// IsURL reports whether s names a PostgreSQL database (postgres:// or
// postgresql://) rather than a file.
func IsURL(s string) bool {
	l := strings.ToLower(s)
	return strings.HasPrefix(l, "postgres://") || strings.HasPrefix(l, "postgresql://")
}

// target is a parsed source URL: the connection string without segql's
// own parameters, the table's name parts, and the optional id column.
type target struct {
	conn  string
	table []string
	id    string
	shown string // the URL without its password, for messages
}

// parseURL splits segql's parameters (table, id) off a PostgreSQL URL; the
// rest is passed to the driver unchanged.
func parseURL(raw string) (target, error) {
	u, err := url.Parse(raw)
	if err != nil || !IsURL(raw) {
		return target{}, fmt.Errorf("%q is not a PostgreSQL URL (postgres://user@host:port/db?table=users)", redact(raw))
	}
	q := u.Query()
	t := target{id: q.Get("id")}
	if name := q.Get("table"); name != "" {
		t.table = strings.Split(name, ".")
		for _, p := range t.table {
			if p == "" {
				return target{}, fmt.Errorf("table %q: an empty name part", name)
			}
		}
	}
	q.Del("table")
	q.Del("id")
	u.RawQuery = q.Encode()
	t.conn = u.String()
	if u.User != nil {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
		}
	}
	u.RawQuery = ""
	t.shown = u.String() + "?table=" + strings.Join(t.table, ".")
	return t, nil
}

// needTable is the error for a URL that names no table.
func (t target) needTable() error {
	if len(t.table) > 0 {
		return nil
	}
	return fmt.Errorf("%s: %w named: add ?table=NAME (schema.name for another schema)", t.shown, ErrNoTable)
}

// redact hides a password in a string that failed to parse as a URL.
func redact(raw string) string {
	at := strings.LastIndex(raw, "@")
	scheme := strings.Index(raw, "://")
	if at < 0 || scheme < 0 || at < scheme {
		return raw
	}
	userinfo := raw[scheme+3 : at]
	if i := strings.Index(userinfo, ":"); i >= 0 {
		return raw[:scheme+3] + userinfo[:i] + ":xxxxx" + raw[at:]
	}
	return raw
}

// Redact is a PostgreSQL URL with its password hidden, for messages.
func Redact(raw string) string {
	t, err := parseURL(raw)
	if err != nil {
		return redact(raw)
	}
	return t.shown
}
