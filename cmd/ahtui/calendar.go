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

// calendarJSON is one class in `calendar --json` (docs/cli.md).
type calendarJSON struct {
	Day           string  `json:"day"`
	Start         string  `json:"start"`
	End           *string `json:"end"`
	StartsAt      string  `json:"starts_at"`
	Name          string  `json:"name"`
	Box           string  `json:"box"`
	BoxName       string  `json:"box_name"`
	State         string  `json:"state"`
	ClassID       *int64  `json:"class_id"`
	ReservationID *int64  `json:"reservation_id"`
	PrebookingID  *int64  `json:"prebooking_id"`
	PlanID        *int64  `json:"plan_id"`
	// FamilyID is whom the place is for: "" the account holder, else
	// AimHarder's familyId; Family is that member's name ("" for the
	// holder or an id with no name).
	FamilyID string `json:"family_id"`
	Family   string `json:"family"`
}

func toCalendarJSON(e account.AgendaEntry, who people) calendarJSON {
	out := calendarJSON{
		Day: e.Day.String(), Start: e.Start.Format("15:04"), StartsAt: e.Start.Format(time.RFC3339),
		Name: e.Name, Box: e.Box.Subdomain, BoxName: boxName(e), State: string(e.State),
		ClassID: idOrNil(e.ClassID), ReservationID: idOrNil(e.ReservationID),
		PrebookingID: idOrNil(e.PrebookingID), PlanID: idOrNil(e.PlanID),
		FamilyID: e.FamilyID, Family: who.name(e.FamilyID),
	}
	if !e.End.IsZero() {
		end := e.End.Format("15:04")
		out.End = &end
	}
	return out
}

func newCalendarCommand(g *globalOptions, stdout io.Writer) *cobra.Command {
	var from, until string
	var asJSON, asICS bool
	cmd := &cobra.Command{
		Use:   "calendar [--from YYYY-MM-DD] [--until YYYY-MM-DD] [--json | --ics]",
		Short: "Your upcoming classes: booked, waitlisted, prebooked and planned",
		Long: "Lists your upcoming classes at every box — those you booked anywhere (in ahtui, on the web or\n" +
			"in the app), those you wait for, your prebookings and your weekly plans' days — from today\n" +
			"through the next 14 days unless --from/--until say otherwise. --ics prints an iCalendar file\n" +
			"to import into any calendar; `ahtui serve --calendar-listen ADDR` serves it as a live feed\n" +
			"(see `ahtui calendar secret`).",
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if asJSON && asICS {
				return usageErrorf("use either --json or --ics, not both")
			}
			q, err := agendaQuery(from, until)
			if err != nil {
				return err
			}
			return g.sessionCommand(cmd, func(ctx context.Context, a *app) error {
				agenda, err := a.account.Agenda(ctx, session.KindDevice, q)
				if err != nil {
					return invalidAsUsage(err) // --until before today
				}
				who := loadPeople(ctx, a)
				switch {
				case asJSON:
					out := make([]calendarJSON, 0, len(agenda.Entries))
					for _, e := range agenda.Entries {
						out = append(out, toCalendarJSON(e, who))
					}
					return writeJSON(stdout, out)
				case asICS:
					return writeICS(stdout, agenda.Entries, a.account.Now(), 0)
				}
				printAgenda(stdout, agenda, a.account.Now(), who)
				return nil
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&from, "from", "", "first day (YYYY-MM-DD; default today)")
	f.StringVar(&until, "until", "", "last day (YYYY-MM-DD; default 14 days after --from)")
	f.BoolVar(&asJSON, "json", false, "print JSON")
	f.BoolVar(&asICS, "ics", false, "print an iCalendar (RFC 5545) file")
	cmd.AddCommand(newCalendarSecretCommand(g, stdout))
	return cmd
}

// agendaQuery reads --from and --until (a usage error when unreadable or
// out of order).
func agendaQuery(from, until string) (account.AgendaQuery, error) {
	var q account.AgendaQuery
	var err error
	if from != "" {
		if q.From, err = aimharder.ParseDate(from); err != nil {
			return q, usageErrorf("--from: %v", err)
		}
	}
	if until != "" {
		if q.Until, err = aimharder.ParseDate(until); err != nil {
			return q, usageErrorf("--until: %v", err)
		}
		if !q.From.IsZero() && q.Until.Before(q.From) {
			return q, usageErrorf("--until (%s) is before --from (%s)", q.Until, q.From)
		}
		if q.From.IsZero() {
			// --until alone: from today, which only the box knows; checked
			// by Agenda.
			return q, nil
		}
	}
	if !q.From.IsZero() && !q.Until.IsZero() && q.Until.After(q.From.AddDays(92)) {
		return q, usageErrorf("at most 92 days at once")
	}
	return q, nil
}

// printAgenda prints the agenda day by day, times in each box's time.
func printAgenda(w io.Writer, a account.Agenda, now time.Time, who people) {
	fmt.Fprintf(w, "Your classes from %s to %s\n", a.From.In(time.UTC).Format("Mon 2 Jan"), a.Until.In(time.UTC).Format("Mon 2 Jan 2006"))
	for _, n := range a.Notices {
		fmt.Fprintln(w, "  note: "+n)
	}
	if len(a.Entries) == 0 {
		fmt.Fprintln(w, "  nothing booked, prebooked or planned")
		return
	}
	boxes := map[int64]bool{}
	for _, e := range a.Entries {
		boxes[e.Box.ID] = true
	}
	var day aimharder.Date
	var tw *tabwriter.Writer
	for _, e := range a.Entries {
		if e.Day != day {
			if tw != nil {
				tw.Flush()
			}
			day = e.Day
			fmt.Fprintln(w)
			fmt.Fprintln(w, e.Day.In(time.UTC).Format("Monday 2 January 2006"))
			tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		}
		end := ""
		if !e.End.IsZero() {
			end = "-" + e.End.Format("15:04")
		}
		where := ""
		if len(boxes) > 1 {
			where = boxName(e)
		}
		fmt.Fprintf(tw, "  %s%s\t%s\t%s\t%s\n", e.Start.Format("15:04"), end, e.Name, where, agendaStateText(e, now, who))
	}
	tw.Flush()
}

// agendaStateText is an entry's state in a member's words.
func agendaStateText(e account.AgendaEntry, now time.Time, who people) string {
	var s string
	switch e.State {
	case account.AgendaBooked:
		s = "booked"
		switch {
		case e.FreeCancelUntil.IsZero():
		case now.Before(e.FreeCancelUntil):
			s += ", free cancel until " + cancelDeadline(e.FreeCancelUntil, e.Start)
		default:
			s += ", cancelling now loses the credit"
		}
	case account.AgendaWaitlisted:
		s = "on the waitlist"
		if e.WaitlistPosition > 0 {
			s += fmt.Sprintf(" (#%d)", e.WaitlistPosition)
		} else if e.Waiting > 0 {
			s += fmt.Sprintf(" (%d waiting)", e.Waiting)
		}
	case account.AgendaPrebooked:
		s = "prebooked"
	case account.AgendaPlanned:
		s = "planned"
	}
	if e.PlanID != 0 {
		s += fmt.Sprintf(" · plan %d", e.PlanID)
	}
	if e.FamilyID != "" || who.setting != "" {
		s += " · for " + who.who(e.FamilyID)
	}
	if e.ClassID != 0 && e.State != account.AgendaPlanned {
		s += fmt.Sprintf(" · class %d", e.ClassID)
	}
	return strings.TrimSpace(s)
}

// cancelDeadline is "17:00", or "Mon 17:00" when not on the class's day.
func cancelDeadline(t, start time.Time) string {
	t = t.In(start.Location())
	if t.YearDay() == start.YearDay() && t.Year() == start.Year() {
		return t.Format("15:04")
	}
	return t.Format("Mon 15:04")
}
