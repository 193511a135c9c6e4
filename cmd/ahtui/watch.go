package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/scheduler"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/account"
)

// `ahtui watch`: watching a full class (docs/cli.md). The runner reads the
// class's day at a cadence and, when a place frees, books it (--book) or
// tells the member through notify_command.

func newWatchCommand(g *globalOptions, stdout io.Writer) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "watch",
		Short: "Watch a full class: be told, or booked, when a place frees",
		Long: "A watch reads a full class's day at a cadence (every 60 s, every 20 s in the two hours before\n" +
			"the class) while `ahtui`, `ahtui run` or `ahtui serve` is running on this database. When a place\n" +
			"frees it books the class (--book) or runs notify_command; it ends when booking closes.",
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return usageErrorf("say what to do: `ahtui watch add`, `ahtui watch list` or `ahtui watch rm`")
		},
	}
	cmd.AddCommand(newWatchAddCommand(g, stdout), newWatchListCommand(g, stdout), newWatchRmCommand(g, stdout))
	return cmd
}

func newWatchAddCommand(g *globalOptions, stdout io.Writer) *cobra.Command {
	var day string
	var book bool
	cmd := &cobra.Command{
		Use:   "add <class-id> --day YYYY-MM-DD [--book]",
		Short: "Watch a full class of the current box",
		Args:  usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, date, err := classArgs(args, day)
			if err != nil {
				return err
			}
			return g.sessionCommand(cmd, func(ctx context.Context, a *app) error {
				return watchAdd(ctx, a, stdout, id, date, book)
			})
		},
	}
	cmd.Flags().StringVar(&day, "day", "", "the class's day (YYYY-MM-DD)")
	cmd.Flags().BoolVar(&book, "book", false, "book the place when one frees (otherwise only tell me)")
	return cmd
}

func watchAdd(ctx context.Context, a *app, w io.Writer, id int64, date aimharder.Date, book bool) error {
	box, err := a.account.CurrentBox(ctx)
	if err != nil {
		return err
	}
	res, err := a.account.AddWatch(ctx, session.KindDevice, box, id, date, book)
	c := res.Class
	what := func() string { return fmt.Sprintf("%s on %s at %s", c.Name, date, c.Start.Format("15:04")) }
	switch {
	case errors.Is(err, account.ErrClassStarted):
		return fmt.Errorf("%s has already started", what())
	case errors.Is(err, account.ErrWatchClosed):
		return fmt.Errorf("booking for %s has closed: there is nothing left to watch", what())
	case errors.Is(err, account.ErrAlreadyIn):
		return fmt.Errorf("you are already %s in %s", stateWord(c.Class.State), what())
	case errors.Is(err, account.ErrNotOpenYet):
		return fmt.Errorf("booking for %s is not open yet: prebook it with `ahtui prebook add %d --day %s`", what(), id, date)
	case errors.Is(err, account.ErrClassHasPlaces):
		return fmt.Errorf("%s has free places (%d/%d): book it now with `ahtui book %d --day %s`",
			what(), c.Occupancy, c.Capacity, id, date)
	case errors.Is(err, account.ErrAlreadyWatched):
		return fmt.Errorf("%s is already watched (see `ahtui watch list`)", what())
	case err != nil:
		return err
	}
	then := "you are told (notify_command)"
	if book {
		then = "ahtui books it"
	}
	fmt.Fprintf(w, "Watching #%d: %s (%s), full %d/%d. When a place frees, %s; the watch ends at %s.\n",
		res.Watch.ID, what(), box.Subdomain, c.Occupancy, c.Capacity, then, account.WatchEnds(c.Start).Format("15:04"))
	now := a.account.Now()
	if lease, err := a.store.CurrentRunnerLease(ctx, scheduler.RunnerLeaseName); err == nil && lease.Live(now) {
		fmt.Fprintf(w, "The runner (pid %d on %s) watches it.\n", lease.PID, lease.Host)
	} else {
		fmt.Fprintln(w, "Keep `ahtui`, `ahtui run` or `ahtui serve` running: the class is watched only while one runs.")
	}
	return nil
}

// watchJSON is one element of `watch list --json` (docs/cli.md).
type watchJSON struct {
	ID      int64  `json:"id"`
	Box     string `json:"box"`
	ClassID int64  `json:"class_id"`
	Day     string `json:"day"`
	Name    string `json:"name"`
	Start   string `json:"start"` // HH:MM, box-local
	Book    bool   `json:"book"`
	State   string `json:"state"` // watching, booked, notified or ended
}

func newWatchListCommand(g *globalOptions, stdout io.Writer) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List watched classes and how their watches ended",
		Args:  usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return g.existingCommand(cmd, func(ctx context.Context, a *app) error {
				list, err := a.account.Watches(ctx)
				if err != nil {
					return err
				}
				zones := a.zones(ctx)
				subs := map[int64]string{}
				out := []watchJSON{}
				for _, wt := range list {
					sub, ok := subs[wt.BoxID]
					if !ok {
						if b, err := a.store.Box(ctx, wt.BoxID); err == nil {
							sub = b.Subdomain
						}
						subs[wt.BoxID] = sub
					}
					out = append(out, watchJSON{ID: wt.ID, Box: sub, ClassID: wt.ClassID, Day: wt.Day.String(),
						Name: wt.ClassName, Start: zones.In(wt.BoxID, wt.ClassStart).Format("15:04"), Book: wt.Book,
						State: string(wt.State)})
				}
				if asJSON {
					return writeJSON(stdout, out)
				}
				printWatches(stdout, out, list)
				return nil
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func printWatches(w io.Writer, list []watchJSON, raw []session.Watch) {
	if len(list) == 0 {
		fmt.Fprintln(w, "No watches. Watch a full class with `ahtui watch add <class-id> --day YYYY-MM-DD [--book]`.")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	defer tw.Flush()
	fmt.Fprintln(tw, "ID\tSTATE\tCLASS\tDAY\tSTART\tBOX\tON A FREE PLACE\tDETAIL")
	for i, x := range list {
		then := "tell me"
		if x.Book {
			then = "book it"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", x.ID, x.State, x.Name, x.Day, x.Start, x.Box, then, raw[i].Detail)
	}
}

func newWatchRmCommand(g *globalOptions, stdout io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "rm <id>",
		Short: "Stop watching a class (or forget an ended watch)",
		Args:  usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := strconv.ParseInt(args[0], 10, 64)
			if err != nil || id <= 0 {
				return usageErrorf("%q is not a watch id (the ID column of `ahtui watch list`)", args[0])
			}
			return g.existingCommand(cmd, func(ctx context.Context, a *app) error {
				wt, err := a.account.RemoveWatch(ctx, id)
				switch {
				case errors.Is(err, session.ErrNotFound):
					return fmt.Errorf("there is no watch #%d (see `ahtui watch list`)", id)
				case err != nil:
					return err
				}
				fmt.Fprintf(stdout, "Removed watch #%d: %s on %s at %s.\n", wt.ID, wt.ClassName, wt.Day,
					a.zones(ctx).In(wt.BoxID, wt.ClassStart).Format("15:04"))
				return nil
			})
		},
	}
}
