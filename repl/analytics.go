package repl

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/segql/segql/analytics"
	"github.com/segql/segql/engine"
	"github.com/segql/segql/internal/output"
)

// DefaultMinSize is the shell's k-anonymity threshold (see .privacy).
const DefaultMinSize = 10

var analyticsHelp = map[string]string{
	".profile": ".profile EXPR                  how a segment differs from all users, column by column",
	".overlap": ".overlap A B … | A; B; …       how segments (names, or expressions separated by ;) intersect",
	".cluster": ".cluster K|auto COL,COL [seed S] k-means clusters; adds a cluster column to the table",
	".split":   ".split ARMS SALT EXPR          experiment arms (control:50,treatment:50) by bucket(id, SALT)",
	".export":  ".export FILE EXPR              write a segment's members (.parquet .arrow .csv .ndjson)",
	".privacy": ".privacy [min-size N] [redact COL,…] [allow-pii on|off]  show or set the privacy guards",
}

func init() {
	for k, v := range analyticsHelp {
		commandHelp[k] = v
	}
}

// analytics runs the analytics dot commands; ok is false for other names.
func (s *Session) analytics(ctx context.Context, name, arg string) (out string, err error, ok bool) {
	switch name {
	case ".profile":
		out, err = s.needArg(arg, name, func() (string, error) { return s.profile(ctx, arg) })
	case ".overlap":
		out, err = s.needArg(arg, name, func() (string, error) { return s.overlap(ctx, arg) })
	case ".cluster":
		out, err = s.needArg(arg, name, func() (string, error) { return s.cluster(ctx, arg) })
	case ".split":
		out, err = s.needArg(arg, name, func() (string, error) { return s.split(ctx, arg) })
	case ".export":
		out, err = s.needArg(arg, name, func() (string, error) { return s.export(ctx, arg) })
	case ".privacy":
		out, err = s.setPrivacy(arg)
	default:
		return "", nil, false
	}
	return out, privacyHint(err), true
}

// privacyHint names the shell setting behind a privacy refusal.
func privacyHint(err error) error {
	var small *analytics.ErrTooSmall
	switch {
	case errors.As(err, &small):
		return fmt.Errorf("%w; .privacy min-size N changes the threshold", err)
	case errors.Is(err, analytics.ErrPersonalData) && strings.HasPrefix(err.Error(), "export"):
		return fmt.Errorf("%w (.privacy allow-pii on)", err)
	}
	return err
}

func (s *Session) profile(ctx context.Context, src string) (string, error) {
	_, res, err := s.run(ctx, src)
	if err != nil {
		return "", err
	}
	p, err := s.cur.an.Profile(ctx, res, analytics.ProfileOptions{Privacy: s.privacy, IDColumn: s.idColumn()})
	if err != nil {
		return "", err
	}
	var b strings.Builder
	output.Profile(&b, p)
	return s.result(b.String())
}

// overlapArgs splits .overlap's argument: expressions separated by ";",
// or else names separated by spaces.
func overlapArgs(arg string) []string {
	var parts []string
	if strings.Contains(arg, ";") {
		for _, p := range strings.Split(arg, ";") {
			if p = strings.TrimSpace(p); p != "" {
				parts = append(parts, p)
			}
		}
		return parts
	}
	return strings.Fields(arg)
}

func (s *Session) overlap(ctx context.Context, arg string) (string, error) {
	srcs := overlapArgs(arg)
	var results []*engine.Result
	for _, src := range srcs {
		_, res, err := s.run(ctx, src)
		if err != nil {
			return "", err
		}
		results = append(results, res)
	}
	o, err := s.cur.an.Overlap(srcs, results, s.privacy)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	output.Overlap(&b, o)
	return s.result(b.String())
}

func (s *Session) cluster(ctx context.Context, arg string) (string, error) {
	f := strings.Fields(arg)
	usage := errors.New("usage: " + strings.TrimSpace(analyticsHelp[".cluster"]))
	if len(f) != 2 && len(f) != 4 {
		return "", usage
	}
	opts := analytics.ClusterOptions{Features: strings.Split(f[1], ","), Seed: 1}
	if f[0] != "auto" {
		k, err := strconv.Atoi(f[0])
		if err != nil || k < 1 {
			return "", fmt.Errorf(".cluster: k must be a positive integer or auto, not %q", f[0])
		}
		opts.K = k
	}
	if len(f) == 4 {
		seed, err := strconv.ParseUint(f[3], 10, 64)
		if f[2] != "seed" || err != nil {
			return "", usage
		}
		opts.Seed = seed
	}
	opts.Privacy = s.privacy
	c, err := s.cur.an.Cluster(ctx, opts)
	if err != nil {
		return "", err
	}
	field := arrow.Field{Name: "cluster", Type: arrow.PrimitiveTypes.Int64, Nullable: true}
	with, err := s.cur.t.WithColumn(field, s.cur.an.ClusterColumn(c))
	if err != nil {
		return "", err
	}
	s.addTable(s.cur.name, with)
	var b strings.Builder
	output.Clustering(&b, c)
	b.WriteString("\nadded column cluster (1…" + strconv.Itoa(c.K) + ", null where a feature is missing): try .profile cluster = 1\n")
	return s.result(b.String())
}

func (s *Session) split(ctx context.Context, arg string) (string, error) {
	f := strings.SplitN(arg, " ", 3)
	if len(f) < 3 {
		return "", errors.New("usage: " + strings.TrimSpace(analyticsHelp[".split"]))
	}
	arms, err := analytics.ParseArms(f[0])
	if err != nil {
		return "", err
	}
	_, res, err := s.run(ctx, f[2])
	if err != nil {
		return "", err
	}
	id := s.idColumn()
	if id == "" {
		return "", errors.New(".split: the table has no user_id or id column")
	}
	sp, err := s.cur.an.Split(res, analytics.SplitOptions{Arms: arms, Salt: f[1], IDColumn: id, Privacy: s.privacy})
	if err != nil {
		return "", err
	}
	var b strings.Builder
	output.Split(&b, sp)
	return s.result(b.String())
}

func (s *Session) export(ctx context.Context, arg string) (string, error) {
	path, src, ok := strings.Cut(arg, " ")
	if !ok || strings.TrimSpace(src) == "" {
		return "", errors.New("usage: " + strings.TrimSpace(analyticsHelp[".export"]))
	}
	_, res, err := s.run(ctx, src)
	if err != nil {
		return "", err
	}
	rep, err := s.cur.an.Export(ctx, res, path, analytics.ExportOptions{Privacy: s.privacy})
	if err != nil {
		return "", err
	}
	msg := fmt.Sprintf("wrote %s members (%d columns) to %s\n", output.Thousands(rep.Rows), len(rep.Columns), path)
	if len(rep.Withheld) > 0 {
		msg += "left out personal data: " + strings.Join(rep.Withheld, ", ") + " (.privacy allow-pii on to include)\n"
	}
	return msg, nil
}

// setPrivacy shows or changes the privacy guards.
func (s *Session) setPrivacy(arg string) (string, error) {
	f := strings.Fields(arg)
	next := s.privacy
	for i := 0; i < len(f); i += 2 {
		if i+1 >= len(f) {
			return "", errors.New("usage: " + strings.TrimSpace(analyticsHelp[".privacy"]))
		}
		switch v := f[i+1]; f[i] {
		case "min-size":
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return "", fmt.Errorf(".privacy: min-size must be a number ≥ 0, not %q", v)
			}
			next.MinSize = n
		case "redact":
			next.PII = strings.Split(v, ",")
		case "allow-pii":
			if v != "on" && v != "off" {
				return "", errors.New(".privacy: allow-pii takes on or off")
			}
			next.AllowPII = v == "on"
		default:
			return "", fmt.Errorf(".privacy: unknown setting %q (min-size, redact, allow-pii)", f[i])
		}
	}
	if err := next.Validate(s.cur.t); err != nil {
		return "", fmt.Errorf(".privacy: %w", err)
	}
	s.privacy = next
	pii := s.privacy.PIIColumns(s.cur.t)
	if len(pii) == 0 {
		pii = []string{"none"}
	}
	return fmt.Sprintf("min-size %d, personal data: %s, allow-pii %v\n", s.privacy.MinSize, strings.Join(pii, ", "), s.privacy.AllowPII), nil
}
