package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/scheduler"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/account"
)

// `ahtui plan`: weekly plans (docs/cli.md). The commands store and show
// plans; the runner turns their occurrences into prebookings.

func newPlanCommand(g *globalOptions, stdout io.Writer) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "plan",
		Short: "Weekly plans: book the same classes every week",
		Long: "A weekly plan books a class every week — \"Mon, Wed and Fri at 07:00, WOD\" — the instant each\n" +
			"occurrence's booking window opens, while `ahtui`, `ahtui run` or `ahtui serve` is running.",
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return usageErrorf("say what to do: `ahtui plan add`, `list`, `rm`, `skip`, `unskip`, `pause` or `resume`")
		},
	}
	cmd.AddCommand(newPlanAddCommand(g, stdout), newPlanListCommand(g, stdout), newPlanRmCommand(g, stdout),
		newPlanSkipCommand(g, stdout, true), newPlanSkipCommand(g, stdout, false),
		newPlanPauseCommand(g, stdout), newPlanResumeCommand(g, stdout))
	return cmd
}

// planAddFlags are `plan add`'s flags as typed.
type planAddFlags struct {
	days, at, class, box, from, until string
	family                            string
	fallbacks                         []string
	waitlist, now                     bool
}

// parse checks everything that needs no database: a failure is a usage
// error (exit 2). BoxID is left for the caller.
func (f planAddFlags) parse() (session.NewPlan, error) {
	var n session.NewPlan
	switch {
	case f.days == "":
		return n, usageErrorf("--days is required: the weekdays, e.g. --days mon,wed,fri")
	case f.at == "":
		return n, usageErrorf("--time is required: the class's start, HH:MM")
	case strings.TrimSpace(f.class) == "":
		return n, usageErrorf("--class is required: the class's name as the box writes it, e.g. --class WOD")
	}
	var err error
	if n.Days, err = session.ParseWeekdays(f.days); err != nil {
		return n, usageErrorf("--days: %s", invalidWords(err))
	}
	if n.Time, err = session.ParseClock(f.at); err != nil {
		return n, usageErrorf("--time: %s", invalidWords(err))
	}
	n.Class, n.Waitlist, n.Now = strings.TrimSpace(f.class), f.waitlist, f.now
	for _, fb := range f.fallbacks {
		name, at := fb, ""
		if i := strings.LastIndex(fb, "@"); i >= 0 {
			name, at = fb[:i], fb[i+1:]
		}
		t := n.Time
		if at != "" || strings.Contains(fb, "@") {
			if t, err = session.ParseClock(at); err != nil {
				return n, usageErrorf("--fallback %q: %s", fb, invalidWords(err))
			}
		}
		if strings.TrimSpace(name) == "" {
			return n, usageErrorf("--fallback %q: name a class, e.g. --fallback WOD@08:00", fb)
		}
		n.Fallbacks = append(n.Fallbacks, session.Fallback{Class: strings.TrimSpace(name), Time: t})
	}
	if n.From, err = optionalDate("--from", f.from); err != nil {
		return n, err
	}
	if n.Until, err = optionalDate("--until", f.until); err != nil {
		return n, err
	}
	check := n
	check.BoxID = 1 // the box is checked once the database is open
	if err := check.Validate(); err != nil {
		return n, usageErrorf("%s", invalidWords(err))
	}
	return n, nil
}

// optionalDate parses a YYYY-MM-DD flag; empty is the zero date.
func optionalDate(flag, value string) (aimharder.Date, error) {
	if value == "" {
		return aimharder.Date{}, nil
	}
	d, err := aimharder.ParseDate(value)
	if err != nil {
		return aimharder.Date{}, usageErrorf("%s: %q is not a date (use YYYY-MM-DD)", flag, value)
	}
	return d, nil
}

// requiredDate is optionalDate for a flag that must be given.
func requiredDate(flag, value, what string) (aimharder.Date, error) {
	if value == "" {
		return aimharder.Date{}, usageErrorf("%s is required: %s, YYYY-MM-DD", flag, what)
	}
	return optionalDate(flag, value)
}

// invalidWords is a validation error without its "invalid value: " prefix.
func invalidWords(err error) string {
	return strings.TrimPrefix(err.Error(), session.ErrInvalid.Error()+": ")
}

func newPlanAddCommand(g *globalOptions, stdout io.Writer) *cobra.Command {
	var f planAddFlags
	cmd := &cobra.Command{
		Use:   "add --days mon,wed,fri --time HH:MM --class NAME",
		Short: "Make a weekly plan",
		Long: "Make a weekly plan: the class NAME at HH:MM on the given weekdays, every week, booked the\n" +
			"instant each occurrence's booking window opens. NAME matches the class's name exactly, ignoring\n" +
			"case and accents (\"WOD\" is not \"TEAM WOD\"). --fallback (repeatable, tried in order) names another\n" +
			"class to take when the first choice is full or refused, at the plan's time unless @HH:MM says.\n" +
			"An occurrence whose booking window is already open is booked at once only with --now.",
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			n, err := f.parse()
			if err != nil {
				return err
			}
			return g.appCommand(cmd, roleCLI, func(ctx context.Context, a *app) error {
				if cmd.Flags().Changed("family") {
					who, err := resolveFamily(ctx, a, f.family, true)
					if err != nil {
						return err
					}
					n.FamilyID = who
					if who == "" { // --family "": the holder, whatever family_id says later
						n.FamilyID = session.PlanForHolder
					}
				}
				return planAdd(ctx, a, stdout, n, f.box)
			})
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.days, "days", "", "weekdays, comma-separated: mon,tue,wed,thu,fri,sat,sun")
	fl.StringVar(&f.at, "time", "", "the class's start, HH:MM in the box's time")
	fl.StringVar(&f.class, "class", "", "the class's name (exact, ignoring case and accents)")
	fl.StringVar(&f.box, "box", "", "the box (subdomain or id; default: the current box)")
	fl.BoolVar(&f.waitlist, "waitlist", false, "join the waitlist when the class is full")
	fl.StringArrayVar(&f.fallbacks, "fallback", nil, "another class to try, in order: NAME or NAME@HH:MM (repeatable)")
	fl.StringVar(&f.from, "from", "", "first class date (YYYY-MM-DD; default: today)")
	fl.StringVar(&f.until, "until", "", "last class date (YYYY-MM-DD; default: no end)")
	fl.BoolVar(&f.now, "now", false, "book at once occurrences whose booking window is already open")
	fl.StringVar(&f.family, "family", "", "book for this family member: a `name` from ahtui family (default: the family_id setting; an empty name: always you)")
	return cmd
}

func planAdd(ctx context.Context, a *app, w io.Writer, n session.NewPlan, boxKey string) error {
	if _, err := a.store.Account(ctx); err != nil {
		return err // no account: exit 3
	}
	var box session.Box
	var err error
	if boxKey == "" {
		box, err = a.account.CurrentBox(ctx)
	} else {
		box, err = a.account.FindBox(ctx, boxKey)
	}
	if err != nil {
		return err
	}
	n.BoxID = box.ID
	v, err := a.account.AddPlan(ctx, n)
	if err != nil {
		return planError(err, 0)
	}
	now := a.account.Now()
	p := v.Plan
	fmt.Fprintf(w, "Plan #%d: %s, %s at %s (%s)%s.\n", p.ID, p.Class, dayList(p.Days), p.Time, box.Subdomain, planTerms(p, loadPeople(ctx, a)))
	var open []string
	for _, o := range v.Occurrences {
		if o.State != session.OccPlanned {
			continue
		}
		if opens, ok := box.Rule().OpensAt(o.Start); ok && !opens.After(now) {
			open = append(open, o.Start.Format("Mon 2 Jan"))
		}
	}
	if len(open) > 0 {
		if p.Now {
			fmt.Fprintf(w, "Booking is already open for %s: the runner books it at once.\n", strings.Join(open, ", "))
		} else {
			fmt.Fprintf(w, "Booking is already open for %s: not booked (it was open before the plan; make the plan with --now to book it,\n"+
				"or book it with `ahtui book`).\n", strings.Join(open, ", "))
		}
	}
	if next := nextOccurrences(v.Occurrences, 3); next != "" {
		fmt.Fprintf(w, "Next: %s.\n", next)
	}
	if lease, err := a.store.CurrentRunnerLease(ctx, scheduler.RunnerLeaseName); err == nil && lease.Live(now) {
		fmt.Fprintf(w, "The runner (pid %d on %s) will run it.\n", lease.PID, lease.Host)
	} else {
		fmt.Fprintln(w, "Plans are booked only while `ahtui`, `ahtui run` or `ahtui serve` is running.")
	}
	return nil
}

// dayList is "Mon, Wed, Fri".
func dayList(w session.Weekdays) string {
	names := w.Names()
	for i, n := range names {
		names[i] = strings.ToUpper(n[:1]) + n[1:]
	}
	return strings.Join(names, ", ")
}

// planTerms is ", waitlist accepted, then WOD at 08:00, from … until …".
func planTerms(p session.Plan, who people) string {
	var b strings.Builder
	if p.Waitlist {
		b.WriteString(", waitlist accepted")
	}
	for i, f := range p.Fallbacks {
		if i == 0 {
			b.WriteString(", if full: ")
		} else {
			b.WriteString(", then ")
		}
		fmt.Fprintf(&b, "%s at %s", f.Class, f.Time)
	}
	if !p.From.IsZero() {
		fmt.Fprintf(&b, ", from %s", p.From)
	}
	if !p.Until.IsZero() {
		fmt.Fprintf(&b, ", until %s", p.Until)
	}
	b.WriteString(who.planFor(p))
	return b.String()
}

// nextOccurrences names the first n occurrences not yet over.
func nextOccurrences(list []session.PlanOccurrence, n int) string {
	var out []string
	for _, o := range list {
		if len(out) == n {
			break
		}
		out = append(out, o.Start.Format("Mon 2 Jan")+" "+string(o.State))
	}
	return strings.Join(out, ", ")
}

// planError puts the plan calls' errors in a member's words (exit 1).
func planError(err error, id int64) error {
	var conflict *session.PlanConflictError
	switch {
	case errors.As(err, &conflict):
		return fmt.Errorf("%v: a plan for that slot already exists (see `ahtui plan list`)", conflict)
	case errors.Is(err, session.ErrNotFound) && id != 0:
		return fmt.Errorf("there is no plan #%d (see `ahtui plan list`)", id)
	case errors.Is(err, session.ErrInvalid):
		return errors.New(invalidWords(err))
	}
	return err
}

// planJSON is one element of `plan list --json` (docs/cli.md).
type planJSON struct {
	ID          int64                `json:"id"`
	Box         string               `json:"box"`
	Days        []string             `json:"days"`
	Time        string               `json:"time"`
	Class       string               `json:"class"`
	Waitlist    bool                 `json:"waitlist"`
	Fallback    []planFallbackJSON   `json:"fallback"`
	From        *string              `json:"from"`
	Until       *string              `json:"until"`
	Skips       []string             `json:"skips"`
	Pauses      []planPauseJSON      `json:"pauses"`
	Occurrences []planOccurrenceJSON `json:"occurrences"`
	FamilyID    *string              `json:"family_id"` // null: the family_id setting's person; "": the holder
	Family      string               `json:"family"`    // the name of whom it books for now; "" for the holder or an id with no name
}

type planFallbackJSON struct {
	Class string `json:"class"`
	Time  string `json:"time"`
}

type planPauseJSON struct {
	From  string `json:"from"`
	Until string `json:"until"`
}

type planOccurrenceJSON struct {
	Day           string `json:"day"`
	State         string `json:"state"`
	ClassID       *int64 `json:"class_id"`
	PrebookingID  *int64 `json:"prebooking_id"`
	ReservationID *int64 `json:"reservation_id"`
}

func dateOrNil(d aimharder.Date) *string {
	if d.IsZero() {
		return nil
	}
	s := d.String()
	return &s
}

func idOrNil(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

func toPlanJSON(v account.PlanView, who people) planJSON {
	p := v.Plan
	out := planJSON{
		ID: p.ID, Box: v.Box.Subdomain, Days: p.Days.Names(), Time: p.Time.String(), Class: p.Class,
		Waitlist: p.Waitlist, Fallback: []planFallbackJSON{}, From: dateOrNil(p.From), Until: dateOrNil(p.Until),
		Skips: []string{}, Pauses: []planPauseJSON{}, Occurrences: []planOccurrenceJSON{},
	}
	switch p.FamilyID {
	case "":
	case session.PlanForHolder:
		out.FamilyID = new(string)
	default:
		out.FamilyID = &p.FamilyID
	}
	out.Family = who.name(p.Person(who.setting))
	for _, f := range p.Fallbacks {
		out.Fallback = append(out.Fallback, planFallbackJSON{Class: f.Class, Time: f.Time.String()})
	}
	for _, d := range p.Skips {
		out.Skips = append(out.Skips, d.String())
	}
	for _, r := range p.Pauses {
		out.Pauses = append(out.Pauses, planPauseJSON{From: r.From.String(), Until: r.Until.String()})
	}
	for _, o := range v.Occurrences {
		out.Occurrences = append(out.Occurrences, planOccurrenceJSON{Day: o.Day.String(), State: string(o.State),
			ClassID: idOrNil(o.ClassID), PrebookingID: idOrNil(o.PrebookingID), ReservationID: idOrNil(o.ReservationID)})
	}
	return out
}

func newPlanListCommand(g *globalOptions, stdout io.Writer) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List weekly plans and their next occurrences",
		Args:  usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return g.appCommand(cmd, roleCLI, func(ctx context.Context, a *app) error {
				views, err := a.account.ListPlans(ctx)
				if err != nil {
					return err
				}
				who := loadPeople(ctx, a)
				if asJSON {
					out := make([]planJSON, 0, len(views))
					for _, v := range views {
						out = append(out, toPlanJSON(v, who))
					}
					return writeJSON(stdout, out)
				}
				printPlans(stdout, views, who)
				return nil
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

// stateWords are the occurrence states as the human list writes them.
var stateWords = map[session.OccurrenceState]string{
	session.OccPlanned: "planned", session.OccPrebooked: "prebooked", session.OccBooked: "booked",
	session.OccWaitlisted: "on the waitlist", session.OccFull: "full", session.OccFailed: "failed",
	session.OccMissed: "missed", session.OccSkipped: "skipped", session.OccPaused: "paused",
	session.OccCancelled: "cancelled by you (not booked again)", session.OccNoClass: "no such class that day",
}

func printPlans(w io.Writer, views []account.PlanView, who people) {
	if len(views) == 0 {
		fmt.Fprintln(w, "No plans. Make one with `ahtui plan add --days mon,wed,fri --time 07:00 --class WOD`.")
		return
	}
	for i, v := range views {
		if i > 0 {
			fmt.Fprintln(w)
		}
		p := v.Plan
		fmt.Fprintf(w, "#%d %s, %s at %s (%s)%s\n", p.ID, p.Class, dayList(p.Days), p.Time, v.Box.Subdomain, planTerms(p, who))
		if len(p.Skips) > 0 {
			var s []string
			for _, d := range p.Skips {
				s = append(s, d.String())
			}
			fmt.Fprintf(w, "  skipped: %s\n", strings.Join(s, ", "))
		}
		if len(p.Pauses) > 0 {
			var s []string
			for _, r := range p.Pauses {
				s = append(s, r.From.String()+" – "+r.Until.String())
			}
			fmt.Fprintf(w, "  paused: %s\n", strings.Join(s, ", "))
		}
		if len(v.Occurrences) == 0 {
			fmt.Fprintln(w, "  no class days in the next two weeks")
			continue
		}
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		for _, o := range v.Occurrences {
			line := "  " + o.Start.Format("Mon 2 Jan") + "\t" + o.Start.Format("15:04") + "\t" + stateWords[o.State]
			if o.Choice > 0 && o.Choice <= len(p.Fallbacks) {
				f := p.Fallbacks[o.Choice-1]
				line += fmt.Sprintf(" (fallback %s at %s)", f.Class, f.Time)
			}
			if o.Detail != "" {
				line += " — " + o.Detail
			}
			fmt.Fprintln(tw, line)
		}
		tw.Flush()
	}
}

// planID reads a plan id argument.
func planID(arg string) (int64, error) {
	id, err := strconv.ParseInt(arg, 10, 64)
	if err != nil || id <= 0 {
		return 0, usageErrorf("%q is not a plan id (the # of `ahtui plan list`)", arg)
	}
	return id, nil
}

func newPlanRmCommand(g *globalOptions, stdout io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "rm <id>",
		Short: "Remove a weekly plan (bookings it made stay)",
		Args:  usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := planID(args[0])
			if err != nil {
				return err
			}
			return g.appCommand(cmd, roleCLI, func(ctx context.Context, a *app) error {
				p, err := a.account.RemovePlan(ctx, id)
				if err != nil {
					return planError(err, id)
				}
				fmt.Fprintf(stdout, "Removed plan #%d: %s, %s at %s. Classes it already booked stay booked.\n",
					p.ID, p.Class, dayList(p.Days), p.Time)
				return nil
			})
		},
	}
}

// newPlanSkipCommand is `plan skip` (skip) or `plan unskip`.
func newPlanSkipCommand(g *globalOptions, stdout io.Writer, skip bool) *cobra.Command {
	var day string
	use, short := "skip <id> --day YYYY-MM-DD", "Skip one class day of a plan"
	if !skip {
		use, short = "unskip <id> --day YYYY-MM-DD", "Take back a skipped day"
	}
	cmd := &cobra.Command{
		Use:   use,
		Short: short,
		Args:  usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := planID(args[0])
			if err != nil {
				return err
			}
			d, err := requiredDate("--day", day, "the class date")
			if err != nil {
				return err
			}
			return g.appCommand(cmd, roleCLI, func(ctx context.Context, a *app) error {
				if !skip {
					p, err := a.account.UnskipPlanDay(ctx, id, d)
					if errors.Is(err, session.ErrNotFound) {
						if _, perr := a.store.Plan(ctx, id); perr == nil {
							return fmt.Errorf("%s is not skipped in plan #%d", d, id)
						}
					}
					if err != nil {
						return planError(err, id)
					}
					fmt.Fprintf(stdout, "Plan #%d books %s on %s again.\n", p.ID, p.Class, d)
					return nil
				}
				p, err := a.account.SkipPlanDay(ctx, id, d)
				if err != nil {
					return planError(err, id)
				}
				fmt.Fprintf(stdout, "Skipped %s of plan #%d (%s at %s): nothing is booked that day.\n", d, p.ID, p.Class, p.Time)
				if v, err := a.account.Plan(ctx, id); err == nil {
					for _, o := range v.Occurrences {
						if o.Day == d && (o.State == session.OccBooked || o.State == session.OccWaitlisted) {
							fmt.Fprintf(stdout, "You are already %s for that class: cancel it with `ahtui cancel`.\n", stateWords[o.State])
						}
					}
				}
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&day, "day", "", "the class date (YYYY-MM-DD)")
	return cmd
}

func newPlanPauseCommand(g *globalOptions, stdout io.Writer) *cobra.Command {
	var from, until string
	cmd := &cobra.Command{
		Use:   "pause [<id>] --from YYYY-MM-DD --until YYYY-MM-DD",
		Short: "Pause a plan, or every plan, over a period (class dates, both included)",
		Args:  usageArgs(cobra.MaximumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			var id int64
			if len(args) == 1 {
				var err error
				if id, err = planID(args[0]); err != nil {
					return err
				}
			}
			f, err := requiredDate("--from", from, "the first class date of the pause")
			if err != nil {
				return err
			}
			u, err := requiredDate("--until", until, "the last class date of the pause")
			if err != nil {
				return err
			}
			if u.Before(f) {
				return usageErrorf("--until (%s) is before --from (%s)", u, f)
			}
			return g.appCommand(cmd, roleCLI, func(ctx context.Context, a *app) error {
				plans, err := a.account.PausePlans(ctx, id, f, u)
				if id == 0 && errors.Is(err, session.ErrNotFound) {
					return errors.New("there are no plans to pause (see `ahtui plan add`)")
				}
				if err != nil {
					return planError(err, id)
				}
				for _, p := range plans {
					fmt.Fprintf(stdout, "Paused plan #%d (%s, %s at %s) from %s until %s.\n", p.ID, p.Class, dayList(p.Days), p.Time, f, u)
				}
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&from, "from", "", "first class date of the pause (YYYY-MM-DD)")
	cmd.Flags().StringVar(&until, "until", "", "last class date of the pause (YYYY-MM-DD)")
	return cmd
}

func newPlanResumeCommand(g *globalOptions, stdout io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "resume [<id>]",
		Short: "Remove the pauses of a plan, or of every plan",
		Args:  usageArgs(cobra.MaximumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			var id int64
			if len(args) == 1 {
				var err error
				if id, err = planID(args[0]); err != nil {
					return err
				}
			}
			return g.appCommand(cmd, roleCLI, func(ctx context.Context, a *app) error {
				plans, err := a.account.ResumePlans(ctx, id)
				if err != nil {
					return planError(err, id)
				}
				if len(plans) == 0 {
					fmt.Fprintln(stdout, "Nothing was paused.")
				}
				for _, p := range plans {
					fmt.Fprintf(stdout, "Resumed plan #%d (%s, %s at %s).\n", p.ID, p.Class, dayList(p.Days), p.Time)
				}
				return nil
			})
		},
	}
}
