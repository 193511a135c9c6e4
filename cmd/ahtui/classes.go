package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/account"
)

// classJSON is one class in `classes --json` (docs/cli.md).
type classJSON struct {
	ID            int64    `json:"id"`
	Box           string   `json:"box"`
	Day           string   `json:"day"`
	Start         string   `json:"start"`
	End           string   `json:"end"`
	StartsAt      string   `json:"starts_at"`
	Name          string   `json:"name"`
	Coach         *string  `json:"coach"`
	Occupancy     int      `json:"occupancy"`
	Capacity      int      `json:"capacity"`
	Waitlist      int      `json:"waitlist"`
	State         string   `json:"state"`
	ReservationID *int64   `json:"reservation_id"`
	OpensAt       *string  `json:"opens_at"`
	Attendees     []string `json:"attendees"`
}

func toClassJSON(c account.ClassView) classJSON {
	out := classJSON{
		ID: c.ID, Box: c.Box, Day: c.Date.String(),
		Start: c.Start.Format("15:04"), End: endText(c.Class),
		StartsAt: c.Start.Format(time.RFC3339), Name: c.Name,
		Occupancy: c.Occupancy, Capacity: c.Capacity, Waitlist: c.Waitlist,
		State: string(c.State), OpensAt: rfc3339OrNil(c.OpensAt),
	}
	if c.Coach != "" {
		coach := c.Coach
		out.Coach = &coach
	}
	if c.ReservationID != 0 {
		id := c.ReservationID
		out.ReservationID = &id
	}
	if c.Attendees != nil {
		out.Attendees = make([]string, len(c.Attendees))
		for i, at := range c.Attendees {
			out.Attendees[i] = at.Name
		}
	}
	return out
}

func endText(c aimharder.Class) string {
	if c.End.IsZero() {
		return ""
	}
	return c.End.Format("15:04")
}

func newClassesCommand(g *globalOptions, stdout io.Writer) *cobra.Command {
	var day, week string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "classes [--day YYYY-MM-DD | --week [YYYY-MM-DD]]",
		Short: "List the classes of a day (today by default) or a week",
		Args:  usageArgs(weekArg(&week)),
		RunE: func(cmd *cobra.Command, args []string) error {
			if day != "" && cmd.Flags().Changed("week") {
				return usageErrorf("use either --day or --week, not both")
			}
			if len(args) == 1 { // `--week 2026-12-09`: see weekArg
				week = args[0]
			}
			return g.sessionCommand(cmd, func(ctx context.Context, a *app) error {
				box, err := a.account.CurrentBox(ctx)
				if err != nil {
					return err
				}
				days, err := fetchClasses(ctx, a, box, day, week, cmd.Flags().Changed("week"))
				if err != nil {
					return err
				}
				if asJSON {
					out := []classJSON{}
					for _, d := range days {
						for _, c := range d.Classes {
							out = append(out, toClassJSON(c))
						}
					}
					return writeJSON(stdout, out)
				}
				printDays(stdout, days, a.account.Now())
				return nil
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&day, "day", "", "the day to list (YYYY-MM-DD; default today in the box's time zone)")
	f.StringVar(&week, "week", "", "list the week (Monday to Sunday) holding this day (default this week)")
	f.Lookup("week").NoOptDefVal = thisWeek
	f.BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

// thisWeek is --week's value when it is given alone: the current week.
const thisWeek = "this"

// weekArg accepts one argument only as --week's date. --week's value is
// optional, so `--week 2026-12-09` leaves the date as an argument (pflag
// takes an optional value only as `--week=2026-12-09`); docs/cli.md
// writes `--week [YYYY-MM-DD]`, so both forms must work.
func weekArg(week *string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) == 1 && cmd.Flags().Changed("week") && *week == thisWeek {
			if _, err := aimharder.ParseDate(args[0]); err != nil {
				return fmt.Errorf("--week: %v", err)
			}
			return nil
		}
		return cobra.NoArgs(cmd, args)
	}
}

func fetchClasses(ctx context.Context, a *app, box session.Box, day, week string, wantWeek bool) ([]account.DayView, error) {
	ref, err := account.BoxRef(box)
	if err != nil {
		return nil, err
	}
	today := aimharder.DateOf(a.account.Now().In(ref.Location))
	if wantWeek {
		from := today
		if week != thisWeek && week != "" {
			if from, err = aimharder.ParseDate(week); err != nil {
				return nil, usageErrorf("--week: %v", err)
			}
		}
		return a.account.Week(ctx, session.KindDevice, box, from.Monday())
	}
	date := today
	if day != "" {
		if date, err = aimharder.ParseDate(day); err != nil {
			return nil, usageErrorf("--day: %v", err)
		}
	}
	d, err := a.account.Day(ctx, session.KindDevice, box, date)
	if err != nil {
		return nil, err
	}
	return []account.DayView{d}, nil
}

func printDays(w io.Writer, days []account.DayView, now time.Time) {
	for i, d := range days {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintln(w, d.Date.In(time.UTC).Format("Monday 2 January 2006"))
		for _, n := range d.Notices {
			fmt.Fprintln(w, "  notice from the box: "+n)
		}
		if len(d.Classes) == 0 {
			fmt.Fprintln(w, "  no classes")
			continue
		}
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "  ID\tTIME\tCLASS\tCOACH\tPLACES\tWAITLIST\tSTATE")
		for _, c := range d.Classes {
			fmt.Fprintf(tw, "  %d\t%s-%s\t%s\t%s\t%d/%d\t%d\t%s\n", c.ID, c.Start.Format("15:04"), endText(c.Class),
				c.Name, dash(c.Coach), c.Occupancy, c.Capacity, c.Waitlist, stateText(c, now))
		}
		tw.Flush()
	}
}

// stateText is the member's state in words, with the time to the opening
// for a class whose window is not open yet.
func stateText(c account.ClassView, now time.Time) string {
	if c.State == account.StateNotOpen {
		return "opens in " + humanDuration(c.OpensAt.Sub(now))
	}
	return strings.ReplaceAll(string(c.State), "_", " ")
}

func dash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "-"
	}
	return s
}
