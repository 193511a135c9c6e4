package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/account"
	"github.com/ahtui/ahtui/tui"
)

// AimHarder lists no family members (docs/protocol.md §10): the member
// names them once with `ahtui family add NAME ID` (the id is the familyId
// AimHarder's own pages send) and chooses them by name afterwards — in
// `config family_id`, with --family on book, prebook add and plan add,
// and in the TUI's boxes view.

func newFamilyCommand(g *globalOptions, stdout io.Writer) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "family",
		Short: "List, name or forget the family members you book for",
		Long: "Without a subcommand, list the family members you named and who bookings are for now.\n" +
			"AimHarder does not list them: name each once with `ahtui family add NAME ID`, where ID is the\n" +
			"familyId AimHarder's own pages send for that person. Then choose by name: `ahtui config family_id NAME`,\n" +
			"or --family NAME on book, prebook add and plan add.",
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return g.appCommand(cmd, roleCLI, func(ctx context.Context, a *app) error {
				return familyList(ctx, a, stdout)
			})
		},
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "add NAME ID",
		Short: "Name a family member (ID: AimHarder's familyId for them)",
		Args:  usageArgs(cobra.ExactArgs(2)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return g.appCommand(cmd, roleCLI, func(ctx context.Context, a *app) error {
				c, err := a.store.SetFamilyMember(ctx, args[0], args[1])
				if errors.Is(err, session.ErrInvalid) {
					return usageErrorf("%s", invalidWords(err))
				} else if err != nil {
					return err
				}
				f := c.Member
				if c.OldID != "" {
					// The same name again: a new id for them.
					fmt.Fprintf(stdout, "Family member %s: id %s, was %s.\n", f.Name, f.ID, c.OldID)
					if moved := familyMoved(c); moved != "" {
						verb := plural(c.Plans+c.Prebookings, "books", "book")
						fmt.Fprintf(stdout, "%s now %s for %s (id %s).\n", moved, verb, f.Name, f.ID)
					}
					if c.Withdrawn > 0 {
						fmt.Fprintf(stdout, "%d %s for id %s withdrawn: %s has one for the same class already.\n", c.Withdrawn,
							plural(c.Withdrawn, "pending prebooking", "pending prebookings"), c.OldID, f.Name)
					}
					if c.Setting {
						// family_id named them: it follows.
						fmt.Fprintf(stdout, "Bookings are still for %s (family_id %s).\n", f.Name, f.ID)
					}
					return nil
				}
				fmt.Fprintf(stdout, "Family member %s (%s) added: book for them with --family %q.\n", f.Name, f.ID, f.Name)
				return nil
			})
		},
	}, &cobra.Command{
		Use:   "remove NAME",
		Short: "Forget a family member",
		Args:  usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return g.appCommand(cmd, roleCLI, func(ctx context.Context, a *app) error {
				f, err := a.store.RemoveFamilyMember(ctx, args[0])
				if err != nil {
					return familyError(err)
				}
				fmt.Fprintf(stdout, "Family member %s (%s) forgotten.\n", f.Name, f.ID)
				if cur, _ := a.store.FamilyID(ctx); cur == f.ID {
					fmt.Fprintf(stdout, "Bookings are still for them: `ahtui config family_id --unset` books for you again.\n")
				}
				return nil
			})
		},
	})
	return cmd
}

// familyMoved says what moved to a family member's new id: "2 plans and 1
// pending prebooking" ("" for nothing).
func familyMoved(c session.FamilyChange) string {
	var parts []string
	if c.Plans > 0 {
		parts = append(parts, fmt.Sprintf("%d %s", c.Plans, plural(c.Plans, "plan", "plans")))
	}
	if c.Prebookings > 0 {
		parts = append(parts, fmt.Sprintf("%d %s", c.Prebookings, plural(c.Prebookings, "pending prebooking", "pending prebookings")))
	}
	return strings.Join(parts, " and ")
}

func familyList(ctx context.Context, a *app, w io.Writer) error {
	list, err := a.store.FamilyMembers(ctx)
	if err != nil {
		return err
	}
	cur, err := a.store.FamilyID(ctx)
	if err != nil {
		return err
	}
	if len(list) == 0 {
		fmt.Fprintln(w, "No family members named: add one with `ahtui family add NAME ID`.")
	}
	for _, f := range list {
		mark := " "
		if f.ID == cur {
			mark = "*"
		}
		fmt.Fprintf(w, "%s %s\t%s\n", mark, f.Name, f.ID)
	}
	fmt.Fprintf(w, "Bookings are for %s.\n", familyWho(list, cur))
	return nil
}

// familyWho names the person bookings with familyId id are for.
func familyWho(list []session.FamilyMember, id string) string {
	switch name := session.FamilyName(list, id); {
	case id == "":
		return "you"
	case name != "":
		return name + " (" + id + ")"
	}
	return "family member " + id
}

// The TUI asks for whom with these (tui.FamilyBooker, tui.FamilyLister).
var (
	_ tui.FamilyBooker = (*account.Service)(nil)
	_ tui.FamilyLister = (*session.Store)(nil)
)

// resolveFamily turns --family NAME (or an id) into the familyId; flag is
// false when the option was not given (the family_id setting applies).
func resolveFamily(ctx context.Context, a *app, value string, given bool) (string, error) {
	if !given {
		return a.store.FamilyID(ctx)
	}
	f, err := a.store.ResolveFamily(ctx, value)
	if err != nil {
		return "", familyError(err)
	}
	return f.ID, nil
}

// familyError says which names are known, as a usage error.
func familyError(err error) error {
	var unknown *session.UnknownFamilyError
	if errors.As(err, &unknown) {
		hint := "name one with `ahtui family add NAME ID`"
		if len(unknown.Known) > 0 {
			names := make([]string, len(unknown.Known))
			for i, f := range unknown.Known {
				names[i] = f.Name
			}
			return usageErrorf("no family member %q: choose one of %s, or %s", unknown.Given, strings.Join(names, ", "), hint)
		}
		return usageErrorf("no family member %q: %s", unknown.Given, hint)
	}
	return invalidAsUsage(err)
}

// people tells who a familyId is, for lists: the named family members and
// the family_id setting.
type people struct {
	list    []session.FamilyMember
	setting string
}

func loadPeople(ctx context.Context, a *app) people {
	list, _ := a.store.FamilyMembers(ctx)
	setting, _ := a.store.FamilyID(ctx)
	return people{list: list, setting: setting}
}

// name is the family member's name for id: "" for the holder or an id
// with no name.
func (p people) name(id string) string { return session.FamilyName(p.list, id) }

// who is "you", "Leo" or "family member 4243".
func (p people) who(id string) string {
	switch name := p.name(id); {
	case id == "":
		return "you"
	case name != "":
		return name
	}
	return "family member " + id
}

// planFor is whom a plan books for, in words: ", for Leo", ", for you";
// a plan that follows the family_id setting says so when it names
// someone.
func (p people) planFor(plan session.Plan) string {
	switch plan.FamilyID {
	case "":
		if p.setting != "" {
			return ", for " + p.who(p.setting) + " (the family_id setting)"
		}
		return ""
	case session.PlanForHolder:
		return ", for you"
	}
	return ", for " + p.who(plan.FamilyID)
}
