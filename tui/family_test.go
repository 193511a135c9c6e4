package tui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/account"
	"github.com/ahtui/ahtui/tui/grid"
	"github.com/ahtui/ahtui/tui/i18n"
)

var testFamily = []session.FamilyMember{{Name: "Leo", ID: "4243"}, {Name: "Marta", ID: "5150"}}

// familyEnv is an env whose account named Leo and Marta, bookings going
// to setting's person by default.
func familyEnv(t *testing.T, w, h int, lang i18n.Lang, setting string) *env {
	t.Helper()
	e := newEnv(t, w, h, lang)
	e.store.mu.Lock()
	e.store.members, e.store.family = testFamily, setting
	e.store.mu.Unlock()
	e.run(e.m.loadStore())
	return e
}

// With family members named, b asks for whom before sending, starting on
// the family_id setting's person; tab changes it and the booking goes to
// the one shown.
func TestBookAsksForWhom(t *testing.T) {
	e := familyEnv(t, 80, 24, i18n.EN, "")
	c := e.pick(grid.Open)
	e.key("b")
	e.requireDialog(en.ConfirmBook)
	e.requireCalls() // nothing sent yet
	e.requireContains("For: ◂ account holder ▸")
	e.key("tab")
	e.requireContains("For: ◂ Leo ▸")
	e.key("tab", "tab") // Marta, then round to the holder
	e.requireContains("For: ◂ account holder ▸")
	e.key("left") // back to Marta
	e.requireContains("For: ◂ Marta ▸")
	e.key("left", "y") // Leo
	e.requireCalls(`for "4243"`, "book "+itoa(c.ID)+" "+c.Date.String()+" waitlist=false")
	e.requireToast("Booked " + c.Name)
	e.requireToast("for Leo")
	if e.m.family != "" || e.store.family != "" {
		t.Fatalf("the choice changed the setting: %q / %q", e.m.family, e.store.family)
	}

	// The next booking asks again, from the setting's person: the choice
	// is not remembered.
	c2 := e.selectClass(func(cv account.ClassView) bool {
		return cv.ID != c.ID && grid.StateOf(cv, nil, e.now) == grid.Open && cv.Start.After(e.now)
	})
	e.key("b")
	e.requireContains("For: ◂ account holder ▸")
	e.key("n")
	e.requireCalls(`for "4243"`, "book "+itoa(c.ID)+" "+c.Date.String()+" waitlist=false")
	e.key("b", "enter")
	e.requireCalls(`for "4243"`, "book "+itoa(c.ID)+" "+c.Date.String()+" waitlist=false",
		`for ""`, "book "+itoa(c2.ID)+" "+c2.Date.String()+" waitlist=false")
	if got := e.lastToast(); strings.Contains(got, " for ") {
		t.Errorf("a booking for the holder, who bookings are for anyway, says for whom: %q", got)
	}
}

// The dialog starts on the family_id setting's person, by name.
func TestBookForWhomStartsOnTheSetting(t *testing.T) {
	e := familyEnv(t, 80, 24, i18n.EN, "5150")
	c := e.pick(grid.Open)
	e.key("b")
	e.requireContains("For: ◂ Marta ▸")
	e.key("enter")
	e.requireCalls(`for "5150"`, "book "+itoa(c.ID)+" "+c.Date.String()+" waitlist=false")
	e.requireToast("for Marta")
}

// p on a class not open yet asks for whom too; the prebooking is stored
// for the one chosen and the prebookings view says for whom.
func TestPrebookForWhom(t *testing.T) {
	e := familyEnv(t, 160, 48, i18n.EN, "")
	c := e.pick(grid.NotOpen)
	e.key("p")
	d := e.requireDialog(en.ConfirmPrebook)
	if d.For == nil || len(d.For.Names) != 3 {
		t.Fatalf("prebook dialog without the For line: %+v", d)
	}
	e.key("right", "y")
	if len(e.store.prebookings) != 1 || e.store.prebookings[0].FamilyID != "4243" || e.store.prebookings[0].ClassID != c.ID {
		t.Fatalf("prebookings %+v, want one for Leo (4243)", e.store.prebookings)
	}
	e.requireToast("for Leo")
	e.requireContains("· for Leo") // the side detail's prebooking line
	// Its outcome, when it fires, says for whom too.
	done := e.store.finish(1, session.PrebookBooked, "")
	e.send(EventMsg{Kind: EventPrebookingFinished, PrebookingID: done.ID, Status: done.Status, Class: done.ClassName,
		Day: done.Day, ClassStart: done.ClassStart, BoxID: done.BoxID})
	e.requireToast(done.ClassName)
	e.requireToast("for Leo")
	e.key("P")
	e.requireContains("· for Leo")
}

// esc sends nothing; without family members b books at once.
func TestForWhomOnlyWithFamilyMembers(t *testing.T) {
	e := familyEnv(t, 80, 24, i18n.EN, "")
	e.pick(grid.Open)
	e.key("b", "esc")
	if e.m.dialog.IsOpen() {
		t.Fatal("esc left the dialog open")
	}
	e.requireCalls()

	plain := newEnv(t, 80, 24, i18n.EN)
	c := plain.pick(grid.Open)
	plain.key("b")
	if plain.m.dialog.IsOpen() {
		t.Fatal("without family members b asks first")
	}
	plain.requireCalls("book " + itoa(c.ID) + " " + c.Date.String() + " waitlist=false")
}

// The Spanish dialog and a phone-sized screen.
func TestForWhomSpanishOnAPhone(t *testing.T) {
	e := familyEnv(t, 40, 20, i18n.ES, "4243")
	e.pick(grid.Full)
	e.key("b")
	e.requireDialog(i18n.For(i18n.ES).ConfirmWaitlist)
	e.requireContains("Para: ◂ Leo ▸")
	for _, line := range strings.Split(e.screen(), "\n") {
		if w := len([]rune(line)); w > 40 {
			t.Fatalf("a line of %d cells on a 40-column screen: %q", w, line)
		}
	}
	c, _ := e.m.grid.Selected()
	e.key("tab", "s")
	e.requireCalls(`for "5150"`, "book "+itoa(c.ID)+" "+c.Date.String()+" waitlist=true")
}

// With family members named, the "every week" form has a For row: the
// plan books for the one chosen, and keeps the holder when chosen so,
// whatever family_id says later; the plans view says for whom.
func TestPlanForWhom(t *testing.T) {
	e := familyEnv(t, 120, 40, i18n.EN, "5150")
	c := e.pickPlanClass()
	e.key("w")
	e.requireContains("For")
	e.requireContains("Marta")
	e.key("up") // from the days round to the last row, For
	e.requireContains("‹ Marta ›")
	e.key("right")
	e.requireContains("‹ account holder ›")
	e.key("enter")
	if len(e.store.plans) != 1 || e.store.plans[0].FamilyID != session.PlanForHolder {
		t.Fatalf("plans %+v, want one for the holder by choice", e.store.plans)
	}
	e.key("W")
	e.requireContains("#1  Sat " + c.Start.Format("15:04") + " " + c.Name)
	e.requireContains("· for you") // bookings are otherwise for Marta

	// Another class, for Leo.
	e.key("esc")
	c2 := e.selectClass(func(cv account.ClassView) bool {
		return cv.Date == testWeek.AddDays(5) && cv.ID != c.ID && grid.StateOf(cv, nil, e.now) == grid.NotOpen
	})
	e.key("w", "up", "left", "enter") // from Marta back to Leo
	if len(e.store.plans) != 2 || e.store.plans[1].FamilyID != "4243" || e.store.plans[1].Class != c2.Name {
		t.Fatalf("plans %+v, want the second for Leo", e.store.plans)
	}
	e.key("W")
	e.requireContains("for Leo")
}

// Without family members the form has no For row.
func TestPlanFormWithoutFamily(t *testing.T) {
	e := newEnv(t, 120, 40, i18n.EN)
	e.pickPlanClass()
	e.key("w", "up")
	if strings.Contains(e.screen(), "For ") {
		t.Fatalf("a For row without family members:\n%s", e.screen())
	}
	e.key("enter")
	if len(e.store.plans) != 1 || e.store.plans[0].FamilyID != "" {
		t.Fatalf("plans %+v, want one following the setting", e.store.plans)
	}
}

// TestFamilyGoldens: the screens that say for whom, with family members
// named (`go test ./tui/ -run Golden -update` rewrites them).
func TestFamilyGoldens(t *testing.T) {
	cases := []struct {
		name    string
		w, h    int
		lang    i18n.Lang
		setting string
		act     func(e *env)
	}{
		{"confirm_book_for_80x24", 80, 24, i18n.EN, "", func(e *env) {
			e.pick(grid.Open)
			e.key("b", "tab")
		}},
		{"confirm_prebook_for_40x20_es", 40, 20, i18n.ES, "5150", func(e *env) {
			e.pick(grid.NotOpen)
			e.key("p")
		}},
		{"confirm_waitlist_for_160x48", 160, 48, i18n.EN, "4243", func(e *env) {
			e.pick(grid.Full)
			e.key("b")
		}},
		{"plan_form_for_80x24", 80, 24, i18n.EN, "", func(e *env) {
			e.pickPlanClass()
			e.key("w", "up", "right")
		}},
		{"prebooked_for_160x48", 160, 48, i18n.EN, "", func(e *env) {
			e.pick(grid.NotOpen)
			e.key("p", "tab", "y")
			e.m.toasts.Dismiss()
		}},
		{"prebookings_for_120x40", 120, 40, i18n.EN, "", func(e *env) {
			e.pick(grid.NotOpen)
			e.key("p", "y")
			e.selectClass(func(c account.ClassView) bool {
				_, has := e.m.grid.Prebooking(c.ID, c.Date)
				return !has && grid.StateOf(c, nil, e.now) == grid.NotOpen
			})
			e.key("p", "tab", "tab", "y")
			e.key("P")
		}},
		{"ask_window_for_80x24", 80, 24, i18n.EN, "", func(e *env) {
			tooEarlyTeaching(e, "4d")
			e.key("b", "y")
		}},
		{"plans_for_120x40_es", 120, 40, i18n.ES, "4243", func(e *env) {
			e.pickPlanClass()
			e.key("w", "up", "left", "enter") // the holder
			e.key("W")
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := familyEnv(t, tc.w, tc.h, tc.lang, tc.setting)
			tc.act(e)
			golden.RequireEqual(t, []byte(e.screen()))
		})
	}
}

// A booking refused "too early" by a box that stated only "N days" asks
// how the box opens with the prebook offer; that question keeps the
// person chosen and f changes it.
func TestOpeningQuestionAsksForWhom(t *testing.T) {
	e := familyEnv(t, 80, 24, i18n.EN, "")
	tooEarlyTeaching(e, "4d")
	e.key("b", "tab", "y") // for Leo
	if !e.m.opening.IsOpen() {
		t.Fatalf("no opening question:\n%s", e.screen())
	}
	e.requireContains("For: ◂ Leo ▸  f change")
	e.key("f")
	e.requireContains("For: ◂ Marta ▸")
	e.key("enter")
	if len(e.store.prebookings) != 1 || e.store.prebookings[0].FamilyID != "5150" {
		t.Fatalf("prebookings %+v, want one for Marta (5150)", e.store.prebookings)
	}
}

// The boxes view chooses the default person by name; the header names
// them, and the next booking's For line starts on them.
func TestBoxesChooseTheDefaultByName(t *testing.T) {
	e := familyEnv(t, 80, 24, i18n.EN, "")
	e.key("B")
	e.requireContains("Book for: account holder")
	e.key("f")
	e.requireContains("> account holder")
	e.key("down", "enter")
	if e.store.family != "4243" || e.m.family != "4243" {
		t.Fatalf("family %q / %q, want Leo's 4243", e.store.family, e.m.family)
	}
	e.requireContains("Book for: Leo")
	e.key("esc")
	e.requireContains("for Leo") // the header
	e.pick(grid.Open)
	e.key("b")
	e.requireContains("For: ◂ Leo ▸")
}

// A class the member holds a place in may be booked for a family member
// too: b offers it, the For line on the next person.
func TestBookedClassForSomeoneElseToo(t *testing.T) {
	e := familyEnv(t, 80, 24, i18n.EN, "")
	c := e.pick(grid.Booked)
	e.key("b")
	d := e.requireDialog(en.ConfirmBook)
	if !strings.Contains(d.Body, "Already booked for you") {
		t.Fatalf("dialog %q", d.Body)
	}
	e.requireContains("For: ◂ Leo ▸")
	e.key("y")
	e.requireCalls(`for "4243"`, "book "+itoa(c.ID)+" "+c.Date.String()+" waitlist=false")

	plain := newEnv(t, 80, 24, i18n.EN)
	plain.pick(grid.Booked)
	plain.key("b")
	plain.requireToast(en.AlreadyYours)
}

// Removing a prebooking says whose it is: a parent's and a child's of one
// class are two, and the question must not leave the member guessing.
func TestRemovingAPrebookingSaysWhose(t *testing.T) {
	e := familyEnv(t, 160, 48, i18n.EN, "")
	e.pick(grid.NotOpen)
	e.key("p")
	e.requireDialog(en.ConfirmPrebook)
	e.key("right", "y") // for Leo
	if len(e.store.prebookings) != 1 || e.store.prebookings[0].FamilyID != "4243" {
		t.Fatalf("prebookings %+v, want one for Leo", e.store.prebookings)
	}
	e.key("p")
	d := e.requireDialog(en.ConfirmUnprebook)
	if !strings.Contains(d.Body, "(for Leo)") {
		t.Fatalf("the removal question does not say whose prebooking it is: %q", d.Body)
	}
}
