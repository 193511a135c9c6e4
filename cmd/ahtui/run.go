package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/account"
)

func newRunCommand(g *globalOptions, stderr io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "run",
		Short: "Run the scheduler headless: keep the session alive and fire prebookings",
		Long: "Keeps the background session alive and fires prebookings the instant their booking\n" +
			"windows open, printing one line per event on stderr, until interrupted (Ctrl-C or SIGTERM).\n" +
			"Several runners may share a database: one of them fires, the others take over if it stops.",
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return g.appCommand(cmd, roleRun, func(ctx context.Context, a *app) error {
				return runScheduler(ctx, a, stderr)
			})
		},
	}
}

// runScheduler runs a Runner until ctx ends or SIGINT/SIGTERM arrives.
// main already turns those into ctx's end; catching them here too keeps
// `run` stopping cleanly whoever calls it.
func runScheduler(ctx context.Context, a *app, stderr io.Writer) error {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	if _, err := a.store.Account(ctx); err != nil {
		return err
	}
	if _, err := a.store.Session(ctx, session.KindBackground); errors.Is(err, session.ErrNoSession) {
		return account.ErrNotLoggedIn
	}
	runner, err := a.newRunner()
	if err != nil {
		return err
	}

	stamp := a.stamper(ctx)
	sub := runner.Events().Subscribe(256)
	var printer sync.WaitGroup
	printer.Go(func() {
		for e := range sub.Events() {
			logLine(stderr, stamp(e.Time())+" "+e.String())
		}
	})
	now := a.now()
	logLine(stderr, fmt.Sprintf("%s ahtui run (pid %d): keeping the background session alive and firing prebookings; Ctrl-C stops",
		stamp(now), os.Getpid()))
	if pending, err := a.store.Prebookings(ctx, session.PrebookingQuery{
		Statuses: []session.PrebookingStatus{session.PrebookPending}}); err == nil {
		logLine(stderr, stamp(now)+" "+pendingWords(len(pending)))
	}

	err = runner.Run(ctx)
	sub.Close()
	printer.Wait()
	if dropped := sub.Dropped(); dropped > 0 {
		logLine(stderr, fmt.Sprintf("(%d events were not printed: the terminal was too slow)", dropped))
	}
	logLine(stderr, stamp(a.now())+" stopped")
	return err
}

// logLine writes one line; a terminal that went away is no reason to stop
// firing prebookings.
func logLine(w io.Writer, line string) {
	_, _ = fmt.Fprintln(w, line)
}
