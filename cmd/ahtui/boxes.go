package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/outcome"
)

type boxJSON struct {
	ID             int64  `json:"id"`
	Subdomain      string `json:"subdomain"`
	Name           string `json:"name"`
	Timezone       string `json:"timezone"`
	TimezoneSource string `json:"timezone_source"` // member, detected or default
	Window         string `json:"window"`          // the rule in force ("" = unknown)
	WindowSource   string `json:"window_source"`   // member, learned or unknown
	// WindowConfirmed: an opening confirmed the rule, or the member set
	// it; false for a rule read from a "too early" text alone (an
	// assumption: the box may open at a fixed hour) or none.
	WindowConfirmed bool `json:"window_confirmed"`
	Current         bool `json:"current"`
	// Domain is the AimHarder domain the box is on (docs/protocol.md §1):
	// aimharder.com, or aimharder.es for the .es deployment.
	Domain string `json:"domain"`

	timezoneClue string // what placed the box (human output only)
}

func toBoxJSON(b session.Box, current bool) boxJSON {
	rule := b.Rule()
	return boxJSON{ID: b.ID, Subdomain: b.Subdomain, Name: b.Name, Timezone: b.Timezone,
		TimezoneSource: string(b.TimezoneSource()), timezoneClue: b.TimezoneClue,
		Window: rule.String(), WindowSource: windowSource(rule.Source), WindowConfirmed: rule.Known() && rule.Confirmed,
		Current: current, Domain: boxDomain(b)}
}

// boxDomain is the AimHarder domain of a stored box.
func boxDomain(b session.Box) string {
	if b.Domain != "" {
		return b.Domain
	}
	return aimharder.DefaultDomain
}

// domainNote says which hosts a box on another AimHarder domain is reached
// at; "" for aimharder.com.
func domainNote(b boxJSON, client *aimharder.Client) string {
	if b.Domain == aimharder.DefaultDomain {
		return ""
	}
	if client.FollowsDomain(b.Domain) {
		return fmt.Sprintf("%s is on %s: ahtui uses that domain's login, portal and box hosts for it.", b.Subdomain, b.Domain)
	}
	return fmt.Sprintf("%s is on %s, but --login-url, --portal-url or --box-url (or AHTUI_*_URL) set other hosts: ahtui uses those.",
		b.Subdomain, b.Domain)
}

// timezoneText is the box's zone and where it comes from, for people:
// "Atlantic/Canary (detected: 35003)", "Europe/Madrid (a guess)".
func timezoneText(b boxJSON) string {
	switch session.TimezoneSource(b.TimezoneSource) {
	case session.TimezoneMember:
		return b.Timezone + " (set by you)"
	case session.TimezoneDetected:
		if b.timezoneClue != "" {
			return b.Timezone + " (detected: " + b.timezoneClue + ")"
		}
		return b.Timezone + " (detected)"
	}
	return b.Timezone + " (a guess)"
}

// timezoneHint tells how to correct a zone that is only a guess; "" when
// the box's zone is the member's or detected.
func timezoneHint(b boxJSON) string {
	if session.TimezoneSource(b.TimezoneSource) != session.TimezoneDefault {
		return ""
	}
	return fmt.Sprintf("ahtui assumes %s for %s: nothing AimHarder says about the box places it. "+
		"If it is elsewhere (Canary Islands, Portugal, Latin America), set its zone, e.g. "+
		"`ahtui config box.%s.timezone Atlantic/Canary`, or openings will be computed hours off.",
		b.Timezone, b.Subdomain, b.Subdomain)
}

// windowSource is the contract's word for where a rule comes from
// (docs/cli.md, boxes --json).
func windowSource(s session.RuleSource) string {
	switch s {
	case session.RuleMember:
		return "member"
	case session.RuleLearned, session.RuleStated:
		return "learned"
	}
	return "unknown"
}

func windowText(b boxJSON) string {
	switch {
	case b.Window == "":
		return "unknown"
	case b.WindowSource == "learned" && !b.WindowConfirmed:
		return b.Window + " (learned, assumed: no opening confirmed it yet)"
	}
	return b.Window + " (" + b.WindowSource + ")"
}

// windowHint tells what ahtui assumes about a learned rule no opening
// confirmed yet, and how to set it; "" otherwise.
func windowHint(b boxJSON) string {
	if b.Window == "" || b.WindowSource != "learned" || b.WindowConfirmed {
		return ""
	}
	return fmt.Sprintf("ahtui assumes %s opens booking %s: AimHarder's \"too early\" said only the days. "+
		"If the box opens at a fixed hour, ahtui finds it at the next openings; to set it now: "+
		"`ahtui config box.%s.window %s` (days before @ the hour).", b.Subdomain, windowWords(b.Window), b.Subdomain,
		session.FixedHourExample(b.Window))
}

// windowWords says a rule in words: "at the class's time 2 days before".
func windowWords(rule string) string {
	r, err := aimharder.ParseRule(rule)
	if err != nil {
		return rule
	}
	switch r.Kind {
	case aimharder.RuleSlidingDays:
		return "at the class's time " + outcome.Count(r.Days, "day", "days") + " before"
	case aimharder.RuleFixedHour:
		return fmt.Sprintf("at %02d:%02d, %s before the class", r.Hour, r.Minute, outcome.Count(r.Days, "day", "days"))
	}
	return rule + " before the class"
}

func newBoxesCommand(g *globalOptions, stdout io.Writer) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "boxes",
		Short: "List your boxes",
		Args:  usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return g.sessionCommand(cmd, func(ctx context.Context, a *app) error {
				boxes, err := a.account.ActiveBoxes(ctx)
				if err != nil {
					return err
				}
				current, _ := a.store.CurrentBox(ctx)
				out := make([]boxJSON, 0, len(boxes))
				for _, b := range boxes {
					out = append(out, toBoxJSON(b, b.ID == current.ID))
				}
				if asJSON {
					return writeJSON(stdout, out)
				}
				if len(out) == 0 {
					fmt.Fprintln(stdout, "No boxes: log in with `ahtui login`.")
					return nil
				}
				tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "\tBOX\tID\tNAME\tTIMEZONE\tWINDOW")
				for _, b := range out {
					mark := ""
					if b.Current {
						mark = "*"
					}
					fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\n", mark, b.Subdomain, b.ID, b.Name, timezoneText(b), windowText(b))
				}
				if err := tw.Flush(); err != nil {
					return err
				}
				for _, b := range out {
					if note := domainNote(b, a.client); note != "" {
						fmt.Fprintln(stdout, note)
					}
					if hint := timezoneHint(b); hint != "" {
						fmt.Fprintln(stdout, hint)
					}
					if hint := windowHint(b); hint != "" {
						fmt.Fprintln(stdout, hint)
					}
				}
				for _, b := range boxes {
					if note := b.Rule().HoursNote(); note != "" {
						fmt.Fprintf(stdout, "%s: booking opens %s.\n", b.Subdomain, note)
					}
				}
				return nil
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func newBoxCommand(g *globalOptions, stdout io.Writer) *cobra.Command {
	box := &cobra.Command{
		Use:   "box",
		Short: "Choose the box to work with",
		Args:  usageArgs(cobra.NoArgs),
		// Without RunE cobra prints help and exits 0 for any arguments.
		RunE: func(*cobra.Command, []string) error {
			return usageErrorf("say what to do: `ahtui box use <subdomain|id>`")
		},
	}
	box.AddCommand(&cobra.Command{
		Use:   "use <subdomain|id>",
		Short: "Make a box the current one",
		Args:  usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return g.sessionCommand(cmd, func(ctx context.Context, a *app) error {
				b, err := a.account.FindBox(ctx, args[0])
				if err != nil {
					return usageErrorf("%v", err)
				}
				if err := a.store.SetCurrentBox(ctx, b.ID); err != nil {
					return err
				}
				fmt.Fprintf(stdout, "Box: %s (%s).\n", b.Name, b.Subdomain)
				return nil
			})
		},
	})
	return box
}
