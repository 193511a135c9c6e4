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
	return g.commandWith(cmd, appOptions{role: r}, fn)
}

// sessionCommand is appCommand for a command that needs a session
// (docs/cli.md, exit status): without a database, or with no session in
// it (never logged in, or logged out), it exits 3 and creates nothing.
func (g *globalOptions) sessionCommand(cmd *cobra.Command, fn func(ctx context.Context, a *app) error) error {
	return g.commandWith(cmd, appOptions{role: roleCLI, existing: true, needSession: true}, fn)
}

// existingCommand is appCommand for a command that works without a session
// but creates no state (status, prebook list, logout): a missing database
// is said, not created.
func (g *globalOptions) existingCommand(cmd *cobra.Command, fn func(ctx context.Context, a *app) error) error {
	return g.commandWith(cmd, appOptions{role: roleCLI, existing: true}, fn)
}

func (g *globalOptions) commandWith(cmd *cobra.Command, o appOptions, fn func(ctx context.Context, a *app) error) error {
	ctx := cmd.Context()
	a, err := g.newApp(ctx, o)
	if err != nil {
		return memberError(err, g.now())
	}
	defer a.Close()
	if o.needSession {
		err = a.requireSession(ctx)
	}
	if err == nil {
		err = fn(ctx, a)
	}
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
