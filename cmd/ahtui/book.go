package main

import (
	"context"
	"fmt"
	"io"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/session"
)

// classArgs reads `<class-id> --day YYYY-MM-DD`.
func classArgs(args []string, day string) (int64, aimharder.Date, error) {
	id, err := strconv.ParseInt(args[0], 10, 64)
	if err != nil || id <= 0 {
		return 0, aimharder.Date{}, usageErrorf("%q is not a class id (the ID column of `ahtui classes`)", args[0])
	}
	if day == "" {
		return 0, aimharder.Date{}, usageErrorf("--day is required: the class's day, YYYY-MM-DD")
	}
	date, err := aimharder.ParseDate(day)
	if err != nil {
		return 0, aimharder.Date{}, usageErrorf("--day: %v", err)
	}
	return id, date, nil
}

func newBookCommand(g *globalOptions, stdout io.Writer) *cobra.Command {
	var day, family string
	var waitlist bool
	cmd := &cobra.Command{
		Use:   "book <class-id> --day YYYY-MM-DD",
		Short: "Book a class (or join its waitlist with --waitlist)",
		Args:  usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, date, err := classArgs(args, day)
			if err != nil {
				return err
			}
			return g.sessionCommand(cmd, func(ctx context.Context, a *app) error {
				box, err := a.account.CurrentBox(ctx)
				if err != nil {
					return err
				}
				who, err := resolveFamily(ctx, a, family, cmd.Flags().Changed("family"))
				if err != nil {
					return err
				}
				res, err := a.account.BookFor(ctx, session.KindDevice, box, id, date, waitlist, who)
				if err != nil {
					return err
				}
				switch {
				case res.AlreadyBooked:
					fmt.Fprintf(stdout, "You were already booked in class %d on %s.\n", id, date)
				case res.Unsettled:
					// bookState 0 once meant a place (docs/protocol.md §10B) and the day could not tell.
					fmt.Fprintf(stdout, "AimHarder accepted the booking (reservation %d), but its answer can mean a place or "+
						"the waitlist and the day could not be read to tell which: check with `ahtui classes --day %s`.\n",
						res.ReservationID, date)
				case res.State == aimharder.StateWaitlisted:
					fmt.Fprintf(stdout, "The class is full: you are on the waitlist (reservation %d).\n", res.ReservationID)
				default:
					fmt.Fprintf(stdout, "Booked (reservation %d).\n", res.ReservationID)
				}
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&day, "day", "", "the class's day (YYYY-MM-DD)")
	cmd.Flags().BoolVar(&waitlist, "waitlist", false, "join the waitlist when the class is full")
	cmd.Flags().StringVar(&family, "family", "", "book for this family member: a `name` from ahtui family (default: the family_id setting)")
	return cmd
}

func newCancelCommand(g *globalOptions, stdout io.Writer) *cobra.Command {
	var day string
	var late bool
	cmd := &cobra.Command{
		Use:   "cancel <class-id> --day YYYY-MM-DD",
		Short: "Cancel your booking or waitlist place in a class",
		Args:  usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, date, err := classArgs(args, day)
			if err != nil {
				return err
			}
			return g.sessionCommand(cmd, func(ctx context.Context, a *app) error {
				box, err := a.account.CurrentBox(ctx)
				if err != nil {
					return err
				}
				res, err := a.account.Cancel(ctx, session.KindDevice, box, id, date, late)
				if err != nil {
					return err
				}
				msg := fmt.Sprintf("Cancelled %s on %s at %s.", res.Class.Name, date, res.Class.Start.Format("15:04"))
				if res.Late {
					msg += " It was a late cancel: the class credit is lost."
				}
				fmt.Fprintln(stdout, msg)
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&day, "day", "", "the class's day (YYYY-MM-DD)")
	cmd.Flags().BoolVar(&late, "late", false, "cancel even inside the late-cancel window, losing the class credit")
	return cmd
}
