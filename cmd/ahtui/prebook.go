package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/scheduler"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/account"
	"github.com/ahtui/ahtui/session/outcome"
)

func newPrebookCommand(g *globalOptions, stdout io.Writer) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "prebook",
		Short: "Book classes the instant their booking window opens",
		Long: "A prebooking books a class the moment its booking window opens, while `ahtui`,\n" +
			"`ahtui run` or `ahtui serve` is running on this database.",
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return usageErrorf("say what to do: `ahtui prebook add`, `ahtui prebook list` or `ahtui prebook rm`")
		},
	}
	cmd.AddCommand(newPrebookAddCommand(g, stdout), newPrebookListCommand(g, stdout), newPrebookRmCommand(g, stdout))
	return cmd
}

func newPrebookAddCommand(g *globalOptions, stdout io.Writer) *cobra.Command {
	var day, at, class, boxKey, family string
	var waitlist bool
	cmd := &cobra.Command{
		Use:   "add {<class-id> | --time HH:MM --class NAME} --day YYYY-MM-DD [--box BOX]",
		Short: "Prebook a class of the current box",
		Long: "Prebook a class: it is booked the instant its booking window opens.\n" +
			"When the box's window rule is not known yet, ahtui tries to book once: AimHarder's\n" +
			"\"too early\" answer teaches the rule, and if booking is already open the class is simply booked.\n\n" +
			"Some boxes list a class only once its booking opens, so it has no id yet: prebook it by\n" +
			"--time and --class instead. ahtui looks for it by day, start time and name when booking\n" +
			"opens (from 2 s before, for up to 30 s) and books it as soon as it appears.",
		Args: usageArgs(cobra.RangeArgs(0, 1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				if at != "" || class != "" {
					return usageErrorf("give a class id or --time and --class, not both")
				}
				id, date, err := classArgs(args, day)
				if err != nil {
					return err
				}
				return g.sessionCommand(cmd, func(ctx context.Context, a *app) error {
					box, err := prebookBox(ctx, a, boxKey)
					if err != nil {
						return err
					}
					who, err := resolveFamily(ctx, a, family, cmd.Flags().Changed("family"))
					if err != nil {
						return err
					}
					return prebookAdd(ctx, a, stdout, box, id, date, waitlist, who)
				})
			}
			byName, err := nameArgs(day, at, class)
			if err != nil {
				return err
			}
			return g.sessionCommand(cmd, func(ctx context.Context, a *app) error {
				box, err := prebookBox(ctx, a, boxKey)
				if err != nil {
					return err
				}
				who, err := resolveFamily(ctx, a, family, cmd.Flags().Changed("family"))
				if err != nil {
					return err
				}
				return prebookAddByName(ctx, a, stdout, box, byName, waitlist, who)
			})
		},
	}
	cmd.Flags().StringVar(&day, "day", "", "the class's day (YYYY-MM-DD)")
	cmd.Flags().StringVar(&at, "time", "", "the class's start time (HH:MM, the box's time), with --class: for a class not listed yet")
	cmd.Flags().StringVar(&class, "class", "", "the class's name, with --time: for a class not listed yet")
	cmd.Flags().StringVar(&boxKey, "box", "", "the box (subdomain or id; default: the current box)")
	cmd.Flags().BoolVar(&waitlist, "waitlist", false, "join the waitlist if the class is full when it opens")
	cmd.Flags().StringVar(&family, "family", "", "book for this family member: a `name` from ahtui family (default: the family_id setting)")
	return cmd
}

// classByName is a class named by day, start time and name.
type classByName struct {
	day  aimharder.Date
	at   session.ClockTime
	name string
}

func nameArgs(day, at, class string) (classByName, error) {
	if at == "" || strings.TrimSpace(class) == "" {
		return classByName{}, usageErrorf("say which class: a class id, or --time HH:MM and --class NAME")
	}
	if day == "" {
		return classByName{}, usageErrorf("--day is required: the class's day, YYYY-MM-DD")
	}
	date, err := aimharder.ParseDate(day)
	if err != nil {
		return classByName{}, usageErrorf("--day: %v", err)
	}
	clock, err := session.ParseClock(at)
	if err != nil {
		return classByName{}, usageErrorf("--time: %v", err)
	}
	return classByName{day: date, at: clock, name: strings.TrimSpace(class)}, nil
}

func prebookBox(ctx context.Context, a *app, key string) (session.Box, error) {
	if key == "" {
		return a.account.CurrentBox(ctx)
	}
	return a.account.FindBox(ctx, key)
}

func prebookAddByName(ctx context.Context, a *app, w io.Writer, box session.Box, c classByName, waitlist bool, family string) error {
	res, err := a.account.PrebookByNameFor(ctx, session.KindDevice, box, c.day, c.at, c.name, waitlist, family)
	if res.Class.ID != 0 || (err == nil && res.Booked != nil) {
		// Listed already: prebooked (or booked) by its id.
		return prebookReport(ctx, a, w, box, c.day, res, err)
	}
	what := fmt.Sprintf("%s at %s on %s", c.name, c.at, c.day)
	switch {
	case errors.Is(err, account.ErrClassStarted):
		return fmt.Errorf("%s has already started", what)
	case errors.Is(err, account.ErrWindowUnknown):
		return fmt.Errorf("%s is not in the schedule yet, and when %s opens booking is not known: set the box's rule, "+
			"e.g. `ahtui config box.%s.window 4d`, and prebook it again", what, box.Subdomain, box.Subdomain)
	case errors.Is(err, account.ErrNotListedOpen):
		return fmt.Errorf("booking for %s is already open and there is no such class in the schedule "+
			"(see `ahtui classes --day %s`)", what, c.day)
	case errors.Is(err, account.ErrAlreadyPrebooked):
		return fmt.Errorf("%s is already prebooked (see `ahtui prebook list`)", what)
	case err != nil:
		return err
	}
	p, now := res.Prebooking, a.account.Now()
	loc := box.LocationOrDefault()
	fmt.Fprintf(w, "Prebooked #%d: %s (%s). It is not in the schedule yet: ahtui looks for it by its time and name\n"+
		"when booking opens and books it as soon as it appears.\n", p.ID, what, box.Subdomain)
	fmt.Fprintf(w, "Booking opens %s (in %s).\n", p.OpensAt.In(loc).Format("Mon 2 Jan 15:04"), humanDuration(p.OpensAt.Sub(now)))
	printRunnerHint(ctx, a, w, now)
	return nil
}

func prebookAdd(ctx context.Context, a *app, w io.Writer, box session.Box, id int64, date aimharder.Date, waitlist bool, family string) error {
	res, err := a.account.PrebookFor(ctx, session.KindDevice, box, id, date, waitlist, family)
	return prebookReport(ctx, a, w, box, date, res, err)
}

// prebookReport tells the member what Prebook did.
func prebookReport(ctx context.Context, a *app, w io.Writer, box session.Box, date aimharder.Date, res account.PrebookResult, err error) error {
	c := res.Class
	switch {
	case errors.Is(err, account.ErrClassStarted):
		return fmt.Errorf("%s on %s at %s has already started", c.Name, date, c.Start.Format("15:04"))
	case errors.Is(err, account.ErrAlreadyIn):
		fmt.Fprintf(w, "You are already %s in %s on %s at %s: nothing to prebook.\n",
			stateWord(c.Class.State), c.Name, date, c.Start.Format("15:04"))
		return nil
	case errors.Is(err, account.ErrAlreadyPrebooked):
		return fmt.Errorf("%s on %s is already prebooked (see `ahtui prebook list`)", c.Name, date)
	case err != nil:
		return err
	case res.Booked != nil:
		fmt.Fprintf(w, "Booking for %s on %s at %s is already open, so it was booked now (%s, reservation %d): no prebooking needed.\n",
			c.Name, date, c.Start.Format("15:04"), stateWord(res.Booked.State), res.Booked.ReservationID)
		if res.Booked.Unsettled { // docs/protocol.md §10B: bookState 0 the day could not settle
			fmt.Fprintf(w, "AimHarder's answer can mean a place or the waitlist and the day could not be read to tell which: "+
				"check with `ahtui classes --day %s`.\n", date)
		}
		return nil
	}
	p, now := res.Prebooking, a.account.Now()
	fmt.Fprintf(w, "Prebooked #%d: %s on %s at %s (%s).\n", p.ID, c.Name, date, c.Start.Format("15:04"), box.Subdomain)
	if p.OpensAt.IsZero() {
		fmt.Fprintf(w, "AimHarder did not say when booking opens: set the box's rule, e.g. `ahtui config box.%s.window 4d`,\n"+
			"and the prebooking will follow it.\n", box.Subdomain)
	} else {
		fmt.Fprintf(w, "Booking opens %s (in %s); ahtui books it then.\n",
			p.OpensAt.In(c.Start.Location()).Format("Mon 2 Jan 15:04"), humanDuration(p.OpensAt.Sub(now)))
	}
	printRunnerHint(ctx, a, w, now)
	return nil
}

// printRunnerHint says what the member must keep running, and warns when
// the prebooking would fail as things stand.
func printRunnerHint(ctx context.Context, a *app, w io.Writer, now time.Time) {
	if lease, err := a.store.CurrentRunnerLease(ctx, scheduler.RunnerLeaseName); err == nil && lease.Live(now) {
		fmt.Fprintf(w, "The runner (pid %d on %s) will fire it.\n", lease.PID, lease.Host)
	} else {
		fmt.Fprintln(w, "Keep `ahtui`, `ahtui run` or `ahtui serve` running until then: prebookings fire only while one runs.")
	}
	if problem, err := scheduler.CheckHealth(ctx, a.store, now, 0); err == nil && problem != nil {
		fmt.Fprintln(w, "Warning: "+problem.Message)
	}
}

func stateWord(s aimharder.UserState) string {
	if s == aimharder.StateWaitlisted {
		return "on the waitlist"
	}
	return "booked"
}

func newPrebookListCommand(g *globalOptions, stdout io.Writer) *cobra.Command {
	var asJSON, all bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List prebookings and their outcomes",
		Args:  usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return g.existingCommand(cmd, func(ctx context.Context, a *app) error {
				list, err := a.store.Prebookings(ctx, session.PrebookingQuery{})
				if err != nil {
					return err
				}
				out := []prebookingJSON{}
				zones := a.zones(ctx)
				for _, p := range list {
					if p.Status == session.PrebookCancelled && !all {
						continue
					}
					out = append(out, toPrebookingJSON(ctx, a, zones, p))
				}
				if asJSON {
					return writeJSON(stdout, out)
				}
				printPrebookings(stdout, out, a.account.Now())
				return nil
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.Flags().BoolVar(&all, "all", false, "include removed prebookings")
	return cmd
}

func printPrebookings(w io.Writer, list []prebookingJSON, now time.Time) {
	if len(list) == 0 {
		fmt.Fprintln(w, "No prebookings. Add one with `ahtui prebook add <class-id> --day YYYY-MM-DD`.")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	defer tw.Flush()
	// FOR only when a prebooking is for a family member.
	forCol := slices.ContainsFunc(list, func(p prebookingJSON) bool { return p.FamilyID != "" })
	if forCol {
		fmt.Fprintln(tw, "ID\tSTATUS\tCLASS\tDAY\tSTART\tBOX\tFOR\tOPENS\tOUTCOME")
	} else {
		fmt.Fprintln(tw, "ID\tSTATUS\tCLASS\tDAY\tSTART\tBOX\tOPENS\tOUTCOME")
	}
	for _, p := range list {
		start := p.StartsAt
		if t, err := time.Parse(time.RFC3339, p.StartsAt); err == nil {
			start = t.Format("15:04")
		}
		opens := "unknown"
		if p.OpensAt != nil {
			if t, err := time.Parse(time.RFC3339, *p.OpensAt); err == nil {
				opens = t.Format("Mon 2 Jan 15:04")
				if p.Status == string(session.PrebookPending) && t.After(now) {
					opens += " (in " + humanDuration(t.Sub(now)) + ")"
				}
			}
		}
		status := p.Status
		if p.Late {
			late := session.Prebooking{Late: true}
			if p.LateMS != nil && p.OpensAt != nil {
				if t, err := time.Parse(time.RFC3339, *p.OpensAt); err == nil {
					late.OpensAt, late.LateBy = t, time.Duration(*p.LateMS)*time.Millisecond
					late.SentAt = t.Add(late.LateBy)
				}
			}
			status += " (" + late.Lateness() + ")"
		}
		if p.Waitlist {
			status += " +waitlist"
		}
		said := outcome.Reason(p.Status, p.Outcome, p.Message, outcome.EN)
		if p.ByName && p.ClassID == 0 && said == "" {
			said = "not listed yet: looked for by time and name when booking opens"
		}
		box := p.Box
		if forCol {
			who := "you"
			switch {
			case p.Family != "":
				who = p.Family
			case p.FamilyID != "":
				who = "family member " + p.FamilyID
			}
			box += "\t" + who
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", p.ID, status, p.Name, p.Day, start, box, opens, said)
	}
}

func newPrebookRmCommand(g *globalOptions, stdout io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "rm <id>",
		Short: "Remove a pending prebooking",
		Args:  usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := strconv.ParseInt(args[0], 10, 64)
			if err != nil || id <= 0 {
				return usageErrorf("%q is not a prebooking id (the ID column of `ahtui prebook list`)", args[0])
			}
			return g.existingCommand(cmd, func(ctx context.Context, a *app) error {
				p, err := a.store.CancelPrebooking(ctx, id)
				switch {
				case errors.Is(err, session.ErrNotFound):
					return fmt.Errorf("there is no prebooking #%d (see `ahtui prebook list`)", id)
				case errors.Is(err, session.ErrNotPending):
					cur, _ := a.store.Prebooking(ctx, id)
					return fmt.Errorf("prebooking #%d is %s and can no longer be removed", id, cur.Status)
				case err != nil:
					return err
				}
				p = a.zones(ctx).Prebooking(p)
				fmt.Fprintf(stdout, "Removed prebooking #%d: %s on %s at %s.\n", p.ID, p.ClassName, p.Day, p.ClassStart.Format("15:04"))
				return nil
			})
		},
	}
}
