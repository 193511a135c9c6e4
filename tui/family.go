package tui

import (
	"context"
	"fmt"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/account"
	"github.com/ahtui/ahtui/tui/dialog"
)

// FamilyBooker is what an Account may also do (*account.Service does):
// book and prebook for a given family member ("" = the account holder),
// whatever the family_id setting says. With it, and family members named,
// booking, prebooking and a plan ask for whom (docs/product.md).
type FamilyBooker interface {
	BookFor(ctx context.Context, kind session.Kind, box session.Box, classID int64, date aimharder.Date, waitlist bool, family string) (account.BookOutcome, error)
	PrebookFor(ctx context.Context, kind session.Kind, box session.Box, classID int64, date aimharder.Date, waitlist bool, family string) (account.PrebookResult, error)
}

// who is for whom an action is: chosen (set) or the family_id setting's
// person.
type who struct {
	id  string // AimHarder's familyId; "" = the account holder
	set bool   // chosen on the For line; false: the setting applies
}

// canChoose reports whether the member chooses for whom: family members
// are named and the account service books for any of them.
func (m *Model) canChoose() bool {
	_, ok := m.cfg.Account.(FamilyBooker)
	return ok && len(m.members) > 0
}

// forChoice is the For line of a confirmation, on w's person (the
// setting's when none was chosen); nil when there is no choice.
func (m *Model) forChoice(w who) *dialog.For {
	if !m.canChoose() {
		return nil
	}
	cur := m.family
	if w.set {
		cur = w.id
	}
	f := &dialog.For{Label: m.tx.FamilyFor, Names: []string{m.tx.FamilyHolder}, IDs: []string{""}}
	for _, fm := range m.members {
		f.Names = append(f.Names, fm.Name)
		f.IDs = append(f.IDs, fm.ID)
	}
	if cur != "" && session.FamilyName(m.members, cur) == "" {
		// An id set before names existed: offered as it is.
		f.Names = append(f.Names, cur)
		f.IDs = append(f.IDs, cur)
	}
	for i, id := range f.IDs {
		if id == cur {
			f.Index = i
		}
	}
	return f
}

// personName names a familyId: the holder, a named member, or the id.
func (m *Model) personName(id string) string {
	if id == "" {
		return m.tx.FamilyHolder
	}
	if name := session.FamilyName(m.members, id); name != "" {
		return name
	}
	return id
}

// showsWho reports whether something for id says for whom: always when
// it is for a family member, and for the holder when bookings are
// otherwise for someone else.
func (m *Model) showsWho(id string) bool { return id != "" || m.family != "" }

// forWords is " for Leo", " for you" (empty when showsWho says nothing
// is needed).
func (m *Model) forWords(id string) string {
	if w := m.whoWords(id); w != "" {
		return " " + w
	}
	return ""
}

// classFor names a class and, when the action was for a chosen person,
// for whom: "WOD Thu 26 Nov 07:00 for Leo".
func (m *Model) classFor(c account.ClassView, w who) string {
	if !w.set {
		return m.className(c)
	}
	return m.className(c) + m.forWords(w.id)
}

// whoWords says for whom a prebooking, plan or place is: "for Leo",
// "for you" (empty when showsWho says nothing is needed).
func (m *Model) whoWords(id string) string {
	switch {
	case !m.showsWho(id):
		return ""
	case id == "":
		return m.tx.Agenda().Holder // "for you", as the agenda says
	}
	return fmt.Sprintf(m.tx.Family, m.personName(id))
}

// planWho says for whom a plan books, in the plans view: its own person,
// or the family_id setting's for a plan that follows it.
func (m *Model) planWho(p session.Plan) string {
	return m.whoWords(p.Person(m.family))
}

// confirmBookOther offers to book a class the setting's person holds a
// place in for someone else too, the For line on the next person.
func (m *Model) confirmBookOther(c account.ClassView) {
	f := m.forChoice(who{})
	f.Index = (f.Index + 1) % len(f.Names)
	holder := m.tx.Agenda().Holder // "for you"
	if m.family != "" {
		holder = fmt.Sprintf(m.tx.Family, m.personName(m.family))
	}
	m.dialog.Open(dialog.Confirm{
		Title:   m.tx.ConfirmBook,
		Body:    fmt.Sprintf(m.tx.ConfirmBookOther, holder, m.className(c)),
		Payload: intent{kind: doBook, class: c},
		For:     f,
	})
}
