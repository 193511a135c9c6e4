package main

import (
	"context"
	"encoding/json"
	"io"
	"time"

	"github.com/spf13/cobra"
)

// appCommand runs fn with an open app and turns its error into the
// member's words and the contract's exit status; the raw error is logged.
func (g *globalOptions) appCommand(cmd *cobra.Command, r role, fn func(ctx context.Context, a *app) error) error {
	ctx := cmd.Context()
	a, err := g.newApp(ctx, appOptions{role: r})
	if err != nil {
		return memberError(err, g.now())
	}
	defer a.Close()
	err = fn(ctx, a)
	if err != nil {
		a.log.Info("command failed", "command", cmd.CommandPath(), "err", err)
	}
	return memberError(err, a.account.Now())
}

// writeJSON prints v as indented JSON.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// rfc3339OrNil formats t for JSON, nil when t is zero.
func rfc3339OrNil(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := t.Format(time.RFC3339)
	return &s
}
