package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/account"
)

// app is what a command that works on the member's data needs: the store,
// the AimHarder client and the account service joining them.
type app struct {
	store   *session.Store
	client  *aimharder.Client
	account *account.Service
	log     *slog.Logger
	logFile io.Closer
}

// openApp opens the database and wires the client and the account service.
func (g *globalOptions) openApp(ctx context.Context, role string) (*app, error) {
	logger, closer, err := openLog(g.debug)
	if err != nil {
		return nil, err
	}
	path, err := g.databasePath()
	if err != nil {
		closer.Close()
		return nil, err
	}
	store, err := session.Open(ctx, path, session.WithClock(g.now))
	if err != nil {
		closer.Close()
		return nil, err
	}
	cfg := g.clientConfig()
	cfg.Logger = logger
	cfg.Now = g.now
	client, err := aimharder.New(cfg)
	if err != nil {
		store.Close()
		closer.Close()
		return nil, usageErrorf("%v", err)
	}
	svc := account.New(account.Config{
		Store:  store,
		Client: client,
		Owner:  session.NewOwner(role),
		Now:    g.now,
		Logger: logger,
	})
	return &app{store: store, client: client, account: svc, log: logger, logFile: closer}, nil
}

func (a *app) Close() error {
	err := a.store.Close()
	a.logFile.Close()
	return err
}

// stateDir is where logs go: $XDG_STATE_HOME/ahtui, else ~/.local/state/ahtui.
func stateDir() (string, error) {
	if dir := os.Getenv("XDG_STATE_HOME"); dir != "" && filepath.IsAbs(dir) {
		return filepath.Join(dir, "ahtui"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("cannot find a folder for logs: %w", err)
	}
	return filepath.Join(home, ".local", "state", "ahtui"), nil
}

// openLog opens the log file (never the terminal: it belongs to the
// member's output). A log that cannot be opened is not fatal: the command
// still runs, without a log.
func openLog(debug bool) (*slog.Logger, io.Closer, error) {
	level := slog.LevelInfo
	if debug {
		level = slog.LevelDebug
	}
	dir, err := stateDir()
	if err == nil {
		err = os.MkdirAll(dir, 0o700)
	}
	var f *os.File
	if err == nil {
		f, err = os.OpenFile(filepath.Join(dir, "ahtui.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	}
	if err != nil {
		return slog.New(slog.DiscardHandler), io.NopCloser(nil), nil
	}
	logger := slog.New(slog.NewTextHandler(f, &slog.HandlerOptions{Level: level}))
	logger = logger.With("pid", os.Getpid())
	return logger, f, nil
}
