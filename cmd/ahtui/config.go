package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/account"
)

// settingHelp lists the member-facing settings with what they do. Per-box
// settings are box.<subdomain>.timezone and box.<subdomain>.window.
var settingHelp = map[string]string{
	session.SettingFamilyID:          "family member to book for: a name from `ahtui family` or AimHarder's familyId (empty = you)",
	session.SettingPasswordCommand:   "command printing your password, for unattended re-login (e.g. `pass show aimharder`)",
	session.SettingNotifyCommand:     "command run (by /bin/sh) on every prebooking outcome and session warning: JSON on stdin, AHTUI_* variables",
	session.SettingRefreshAfter:      "refresh the background session when older than this (default 18m)",
	session.SettingRefreshBeforeFire: "refresh a session before using it when older than this (default 25m)",
	session.SettingLanguage:          "language of the TUI and of notifications: en or es (default from LANG)",
}

func newConfigCommand(g *globalOptions, stdout io.Writer) *cobra.Command {
	var unset bool
	cmd := &cobra.Command{
		Use:   "config [KEY [VALUE]]",
		Short: "List, read or change settings",
		Long: "Without arguments, list the settings. With KEY, print its value. With KEY VALUE, set it.\n\n" +
			"Keys: family_id, password_command, notify_command, refresh_after, refresh_before_fire, language,\n" +
			"and per box box.<subdomain>.timezone (e.g. Atlantic/Canary) and box.<subdomain>.window —\n" +
			"the booking-window rule: 4d (4 days before, at the class time), 48h (48 hours before),\n" +
			"2d@12:00 (at 12:00, 2 days before). A rule you set wins over one learned from AimHarder.\n" +
			"box.<subdomain>.late_cancel (e.g. 90m): how close to the start a cancel loses the credit.",
		Args: usageArgs(cobra.MaximumNArgs(2)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return g.appCommand(cmd, roleCLI, func(ctx context.Context, a *app) error {
				switch {
				case unset && len(args) == 1:
					return setConfig(ctx, a, args[0], "", true)
				case unset:
					return usageErrorf("--unset takes exactly one KEY")
				case len(args) == 0:
					return listConfig(ctx, a, stdout)
				case len(args) == 1:
					v, err := getConfig(ctx, a, args[0])
					if err != nil {
						return err
					}
					fmt.Fprintln(stdout, v)
					return nil
				}
				return setConfig(ctx, a, args[0], args[1], false)
			})
		},
	}
	cmd.Flags().BoolVar(&unset, "unset", false, "remove the setting (its default applies again)")
	return cmd
}

type configEntry struct{ key, value, note string }

func listConfig(ctx context.Context, a *app, w io.Writer) error {
	stored, err := a.store.Settings(ctx)
	if err != nil {
		return err
	}
	var entries []configEntry
	keys := make([]string, 0, len(settingHelp))
	for k := range settingHelp {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		entries = append(entries, configEntry{k, stored[k], settingHelp[k]})
	}
	boxes, err := a.store.Boxes(ctx)
	if err != nil {
		return err
	}
	for _, b := range boxes {
		tzNote := "a guess: nothing AimHarder says about the box places it"
		switch b.TimezoneSource() {
		case session.TimezoneMember:
			tzNote = "set by you"
		case session.TimezoneDetected:
			tzNote = "detected from what AimHarder says about the box (" + b.TimezoneClue + ")"
		}
		rule := b.Rule()
		winNote := "unknown: set it, or book once to learn it"
		switch rule.Source {
		case session.RuleMember:
			winNote = "set by you"
		case session.RuleLearned:
			winNote = "learned from AimHarder"
		}
		if note := rule.HoursNote(); note != "" {
			winNote += "; " + note
		}
		late, _, _ := a.store.Setting(ctx, account.LateCancelSetting(b.Subdomain))
		entries = append(entries,
			configEntry{"box." + b.Subdomain + ".timezone", b.Timezone, tzNote},
			configEntry{"box." + b.Subdomain + ".window", rule.String(), winNote},
			configEntry{account.LateCancelSetting(b.Subdomain), late,
				"a cancel closer than this to the start loses the credit (e.g. 90m): `calendar` then shows when free cancelling ends"})
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, e := range entries {
		fmt.Fprintf(tw, "%s\t%s\t# %s\n", e.key, dash(e.value), e.note)
	}
	return tw.Flush()
}

// boxSetting splits box.<subdomain>.<field>.
func boxSetting(key string) (sub, field string, ok bool) {
	rest, found := strings.CutPrefix(key, "box.")
	if !found {
		return "", "", false
	}
	i := strings.LastIndexByte(rest, '.')
	if i <= 0 {
		return "", "", false
	}
	return rest[:i], rest[i+1:], true
}

func getConfig(ctx context.Context, a *app, key string) (string, error) {
	if sub, field, ok := boxSetting(key); ok {
		b, err := a.store.BoxBySubdomain(ctx, sub)
		if err != nil {
			return "", usageErrorf("no box %q (see `ahtui boxes`)", sub)
		}
		switch field {
		case "timezone":
			return b.Timezone, nil
		case "window":
			return b.Rule().String(), nil
		case "late_cancel":
			v, _, err := a.store.Setting(ctx, account.LateCancelSetting(b.Subdomain))
			return v, err
		}
		return "", usageErrorf("unknown box setting %q: use timezone, window or late_cancel", field)
	}
	if _, known := settingHelp[key]; !known {
		return "", usageErrorf("unknown setting %q (run `ahtui config` to list them)", key)
	}
	v, _, err := a.store.Setting(ctx, key)
	return v, err
}

func setConfig(ctx context.Context, a *app, key, value string, unset bool) error {
	if sub, field, ok := boxSetting(key); ok {
		b, err := a.store.BoxBySubdomain(ctx, sub)
		if err != nil {
			return usageErrorf("no box %q (see `ahtui boxes`)", sub)
		}
		switch field {
		case "timezone":
			return invalidAsUsage(a.store.SetBoxTimezone(ctx, b.ID, value))
		case "window":
			if value != "" {
				rule, err := aimharder.ParseRule(value)
				if err != nil {
					return usageErrorf("%v", err)
				}
				value = rule.String()
			}
			return invalidAsUsage(a.store.SetMemberWindow(ctx, b.ID, value))
		case "late_cancel":
			if unset || value == "" {
				return a.store.UnsetSetting(ctx, account.LateCancelSetting(b.Subdomain))
			}
			d, err := time.ParseDuration(value)
			if err != nil || d < 0 || d > 7*24*time.Hour {
				return usageErrorf("box.%s.late_cancel must be a duration such as 90m or 2h", sub)
			}
			return a.store.SetSetting(ctx, account.LateCancelSetting(b.Subdomain), d.String())
		}
		return usageErrorf("unknown box setting %q: use timezone, window or late_cancel", field)
	}
	if _, known := settingHelp[key]; !known {
		return usageErrorf("unknown setting %q (run `ahtui config` to list them)", key)
	}
	if key == session.SettingLanguage && value != "" && value != "en" && value != "es" {
		return usageErrorf("language must be en or es")
	}
	if unset || value == "" {
		return a.store.UnsetSetting(ctx, key)
	}
	if key == session.SettingFamilyID {
		f, err := a.store.ResolveFamily(ctx, value) // a name or an id
		if err != nil {
			return familyError(err)
		}
		value = f.ID
	}
	return invalidAsUsage(a.store.SetSetting(ctx, key, value))
}

// invalidAsUsage makes a rejected value a usage error (exit 2).
func invalidAsUsage(err error) error {
	if errors.Is(err, session.ErrInvalid) {
		return &exitError{code: exitUsage, err: err}
	}
	return err
}
