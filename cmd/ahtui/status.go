package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/ahtui/ahtui/scheduler"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/outcome"
)

type statusJSON struct {
	Account        *accountJSON     `json:"account"`
	LoggedIn       bool             `json:"logged_in"` // a session is stored (none after logout)
	Box            *boxJSON         `json:"box"`
	Sessions       []sessionJSON    `json:"sessions"`
	Runner         *runnerJSON      `json:"runner"`
	Runners        []runnerProcJSON `json:"runners"` // every live runner, the leader first
	NextPrebooking *prebookingJSON  `json:"next_prebooking"`
	Clock          *clockJSON       `json:"clock"`   // status_scheduler.go
	Warning        *string          `json:"warning"` // session health, status_scheduler.go
}

type accountJSON struct {
	Email  string `json:"email"`
	UserID int64  `json:"user_id"`
	Name   string `json:"name"`
}

type sessionJSON struct {
	Kind             string  `json:"kind"`
	State            string  `json:"state"`
	CreatedAt        string  `json:"created_at"`
	TokenUpdatedAt   string  `json:"token_updated_at"`
	TokenAgeSeconds  int64   `json:"token_age_seconds"`
	TokenUpdateCount int64   `json:"token_update_count"`
	LastError        *string `json:"last_error"`
	LastErrorAt      *string `json:"last_error_at"`
}

type runnerJSON struct {
	Owner       string `json:"owner"`
	PID         int    `json:"pid"`
	Host        string `json:"host"`
	HeartbeatAt string `json:"heartbeat_at"`
}

// runnerProcJSON is one runner on the database, leading or standing by.
type runnerProcJSON struct {
	Program     string `json:"program"` // "ahtui run", "ahtui serve", "ahtui" (a TUI)
	Kind        string `json:"kind"`    // "run", "serve", "tui", or "" when unknown
	PID         int    `json:"pid"`
	Host        string `json:"host"`
	StartedAt   string `json:"started_at"`
	HeartbeatAt string `json:"heartbeat_at"`
	Leader      bool   `json:"leader"` // it fires the prebookings; the others take over if it stops
}

// runnerProgram names a runner's kind as the member started it.
func runnerProgram(kind string) string {
	switch kind {
	case "run", "serve":
		return "ahtui " + kind
	}
	return "ahtui"
}

type prebookingJSON struct {
	ID       int64   `json:"id"`
	Box      string  `json:"box"`
	ClassID  int64   `json:"class_id"`
	Day      string  `json:"day"`
	Name     string  `json:"name"`
	StartsAt string  `json:"starts_at"`
	OpensAt  *string `json:"opens_at"`
	Status   string  `json:"status"`
	Attempts int     `json:"attempts"`
	Outcome  string  `json:"outcome"`
	Message  string  `json:"message"`
	Late     bool    `json:"late"`
	LateMS   *int64  `json:"late_ms"` // how late the booking request left, when late and known
	Waitlist bool    `json:"waitlist"`
	// ByName: made without a class id (class_id 0 until the runner finds
	// the class at its opening, by start time and name).
	ByName bool `json:"by_name"`
	// FamilyID is whom it books for: "" the account holder, else
	// AimHarder's familyId; Family is that member's name ("" for the
	// holder or an id with no name).
	FamilyID string `json:"family_id"`
	Family   string `json:"family"`
}

func newStatusCommand(g *globalOptions, stdout io.Writer) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show both sessions, the runner and the next prebooking",
		Args:  usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return g.existingCommand(cmd, func(ctx context.Context, a *app) error {
				st, err := collectStatus(ctx, a)
				if err != nil {
					return err
				}
				if asJSON {
					return writeJSON(stdout, st)
				}
				printStatus(stdout, st, a.account.Now())
				return nil
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func collectStatus(ctx context.Context, a *app) (statusJSON, error) {
	now := a.account.Now()
	st := statusJSON{Sessions: []sessionJSON{}}
	acct, err := a.store.Account(ctx)
	switch {
	case err == nil:
		st.Account = &accountJSON{Email: acct.Email, UserID: acct.UserID, Name: acct.Name}
	case !errors.Is(err, session.ErrNoAccount):
		return st, err
	}
	if box, err := a.store.CurrentBox(ctx); err == nil {
		bj := toBoxJSON(box, true)
		st.Box = &bj
	}
	sessions, err := a.store.Sessions(ctx)
	if err != nil {
		return st, err
	}
	st.LoggedIn = len(sessions) > 0
	// Sessions and the runner belong to no box: the current box's zone.
	zones := a.zones(ctx)
	loc := zones.Current()
	for _, s := range sessions {
		sj := sessionJSON{
			Kind:             string(s.Kind),
			State:            string(s.State),
			CreatedAt:        rfc3339In(s.CreatedAt, loc),
			TokenUpdatedAt:   rfc3339In(s.TokenUpdatedAt, loc),
			TokenAgeSeconds:  int64(s.TokenAge(now) / time.Second),
			TokenUpdateCount: s.TokenUpdateCount,
			LastErrorAt:      rfc3339OrNilIn(s.LastErrorAt, loc),
		}
		if s.LastError != "" {
			msg := s.LastError
			sj.LastError = &msg
		}
		st.Sessions = append(st.Sessions, sj)
	}
	if lease, err := a.store.CurrentRunnerLease(ctx, scheduler.RunnerLeaseName); err == nil && lease.Live(now) {
		st.Runner = &runnerJSON{Owner: lease.Owner, PID: lease.PID, Host: lease.Host, HeartbeatAt: rfc3339In(lease.HeartbeatAt, loc)}
	}
	runners, err := a.store.Runners(ctx)
	if err != nil {
		return st, err
	}
	st.Runners = []runnerProcJSON{}
	for _, r := range runners {
		rj := runnerProcJSON{Program: runnerProgram(r.Kind), Kind: r.Kind, PID: r.PID, Host: r.Host,
			StartedAt: rfc3339In(r.StartedAt, loc), HeartbeatAt: rfc3339In(r.HeartbeatAt, loc),
			Leader: st.Runner != nil && r.Owner == st.Runner.Owner}
		if rj.Leader {
			st.Runners = append([]runnerProcJSON{rj}, st.Runners...)
			continue
		}
		st.Runners = append(st.Runners, rj)
	}
	pending, err := a.store.Prebookings(ctx, session.PrebookingQuery{Statuses: []session.PrebookingStatus{session.PrebookPending}, Limit: 1})
	if err != nil {
		return st, err
	}
	if len(pending) > 0 {
		pj := toPrebookingJSON(ctx, a, zones, pending[0])
		st.NextPrebooking = &pj
	}
	st.Clock, st.Warning = schedulerStatus(ctx, a, now, loc)
	return st, nil
}

// toPrebookingJSON is a prebooking for `prebook list --json` and `status
// --json`, its times in its box's zone.
func toPrebookingJSON(ctx context.Context, a *app, zones session.Zones, p session.Prebooking) prebookingJSON {
	sub := ""
	if b, err := a.store.Box(ctx, p.BoxID); err == nil {
		sub = b.Subdomain
	}
	p = zones.Prebooking(p)
	out := prebookingJSON{
		ID: p.ID, Box: sub, ClassID: p.ClassID, Day: p.Day.String(), Name: p.ClassName,
		StartsAt: p.ClassStart.Format(time.RFC3339), OpensAt: rfc3339OrNil(p.OpensAt),
		Status: string(p.Status), Attempts: p.Attempts, Outcome: p.OutcomeCode, Message: p.OutcomeMessage,
		Late: p.Late, Waitlist: p.AllowWaitlist, ByName: p.MatchName != "",
		FamilyID: p.FamilyID,
	}
	if p.FamilyID != "" {
		out.Family = loadPeople(ctx, a).name(p.FamilyID)
	}
	if p.Late && p.LateKnown() {
		ms := p.LateBy.Milliseconds()
		out.LateMS = &ms
	}
	return out
}

func printStatus(w io.Writer, st statusJSON, now time.Time) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	defer tw.Flush()
	if st.Account == nil {
		fmt.Fprintln(tw, "Account\tnot logged in (run `ahtui login`)")
	} else if !st.LoggedIn {
		fmt.Fprintf(tw, "Account\t%s <%s> · logged out (run `ahtui login`)\n", st.Account.Name, st.Account.Email)
	} else {
		fmt.Fprintf(tw, "Account\t%s <%s>\n", st.Account.Name, st.Account.Email)
	}
	if st.Box == nil {
		fmt.Fprintln(tw, "Box\tnone chosen")
	} else {
		fmt.Fprintf(tw, "Box\t%s (%s) · %s · window %s\n", st.Box.Name, st.Box.Subdomain, timezoneText(*st.Box), windowText(*st.Box))
	}
	for _, s := range st.Sessions {
		age := time.Duration(s.TokenAgeSeconds) * time.Second
		line := fmt.Sprintf("%s · token %s old · %s", s.State, outcome.Age(age), outcome.Count(int(s.TokenUpdateCount), "update", "updates"))
		if s.LastError != nil {
			line += " · last error: " + *s.LastError
		}
		fmt.Fprintf(tw, "%s session\t%s\n", capitalize(s.Kind), line)
	}
	if st.Runner == nil {
		fmt.Fprintln(tw, "Runner\tnone: prebookings fire only while `ahtui`, `ahtui run` or `ahtui serve` runs")
	} else {
		line := fmt.Sprintf("pid %d on %s", st.Runner.PID, st.Runner.Host)
		if len(st.Runners) > 0 && st.Runners[0].Leader {
			line = st.Runners[0].Program + ", " + line
		}
		if !st.LoggedIn {
			line += " · cannot book until you log in again"
		}
		fmt.Fprintf(tw, "Runner\t%s\n", line)
	}
	for _, r := range st.Runners {
		if r.Leader {
			continue
		}
		fmt.Fprintf(tw, "Standby\t%s on %s (pid %d) · takes over if the runner stops\n", r.Program, r.Host, r.PID)
	}
	if st.NextPrebooking == nil {
		fmt.Fprintln(tw, "Next prebooking\tnone")
	} else {
		p := st.NextPrebooking
		opens := "opening unknown"
		if p.OpensAt != nil {
			if t, err := time.Parse(time.RFC3339, *p.OpensAt); err == nil {
				opens = "opens " + t.Format("Mon 2 Jan 15:04") + " (in " + humanDuration(t.Sub(now)) + ")"
			}
		}
		fmt.Fprintf(tw, "Next prebooking\t#%d %s %s · %s\n", p.ID, p.Name, p.Day, opens)
	}
	printSchedulerStatus(tw, st.Clock, st.Warning, now)
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}
