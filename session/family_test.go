package session

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestFamilyMembersByName(t *testing.T) {
	ctx := t.Context()
	s := openAt(t, filepath.Join(t.TempDir(), "a.db"))
	// Before any is named, a number is taken as given (ids set before
	// names existed); a word never is.
	if f, err := s.ResolveFamily(ctx, "4243"); err != nil || f.ID != "4243" {
		t.Fatalf("a bare id with no names: %+v, %v", f, err)
	}
	if err := s.SetSetting(ctx, SettingFamilyID, "abc"); !errors.Is(err, ErrInvalid) {
		t.Fatalf("family_id abc: %v", err)
	}
	if _, err := s.AddFamilyMember(ctx, "Leo Pérez", "4243"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddFamilyMember(ctx, "Marta", "5150"); err != nil {
		t.Fatal(err)
	}
	for _, bad := range [][2]string{{"", "1"}, {"Eva", "x1"}, {"123", "1"}} {
		if _, err := s.AddFamilyMember(ctx, bad[0], bad[1]); !errors.Is(err, ErrInvalid) {
			t.Errorf("add %q %q: %v", bad[0], bad[1], err)
		}
	}
	for in, want := range map[string]string{"leo pérez": "4243", "4243": "4243", "MARTA": "5150", "": ""} {
		if f, err := s.ResolveFamily(ctx, in); err != nil || f.ID != want {
			t.Errorf("resolve %q: %+v, %v", in, f, err)
		}
	}
	_, err := s.ResolveFamily(ctx, "abc")
	var unknown *UnknownFamilyError
	if !errors.As(err, &unknown) || !strings.Contains(err.Error(), "Leo Pérez (4243), Marta (5150)") {
		t.Errorf("resolve abc: %v", err)
	}
	if _, err := s.ResolveFamily(ctx, "9999"); !errors.As(err, &unknown) {
		t.Errorf("an id no named member has, once names exist: %v", err)
	}
	if err := s.SetSetting(ctx, SettingFamilyMembers, "nonsense"); !errors.Is(err, ErrInvalid) {
		t.Errorf("a family list that is not one: %v", err)
	}
	if _, err := s.RemoveFamilyMember(ctx, "leo pérez"); err != nil {
		t.Fatal(err)
	}
	list, _ := s.FamilyMembers(ctx)
	if len(list) != 1 || list[0].Name != "Marta" {
		t.Errorf("after removing Leo: %+v", list)
	}
}

// A plan's person: its own family member, the holder by choice, or the
// setting's person; Validate refuses anything else.
func TestPlanPerson(t *testing.T) {
	for _, c := range []struct{ id, setting, want string }{
		{"", "", ""}, {"", "4243", "4243"}, {PlanForHolder, "4243", ""}, {"5150", "4243", "5150"}, {"5150", "", "5150"},
	} {
		if got := (Plan{FamilyID: c.id}).Person(c.setting); got != c.want {
			t.Errorf("plan for %q, setting %q: %q, want %q", c.id, c.setting, got, c.want)
		}
	}
	n := NewPlan{BoxID: 1, Days: AllWeekdays, Time: ClockTime{Hour: 7}, Class: "WOD"}
	for _, id := range []string{"", PlanForHolder, "4243"} {
		n.FamilyID = id
		if err := n.Validate(); err != nil {
			t.Errorf("family %q: %v", id, err)
		}
	}
	n.FamilyID = "Leo"
	if err := n.Validate(); !errors.Is(err, ErrInvalid) {
		t.Errorf("family \"Leo\" (a name, not an id): %v", err)
	}
}

// One id has one name: naming a second person with an id already named is
// refused; the same name again changes its id.
func TestFamilyOneNamePerID(t *testing.T) {
	ctx := t.Context()
	s := openAt(t, filepath.Join(t.TempDir(), "a.db"))
	if _, err := s.AddFamilyMember(ctx, "Leo", "4243"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddFamilyMember(ctx, "Marta", "4243"); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "Leo already has id 4243") {
		t.Fatalf("a second name for 4243: %v", err)
	}
	if _, err := s.AddFamilyMember(ctx, "LEO", "5150"); err != nil {
		t.Fatal(err)
	}
	list, err := s.FamilyMembers(ctx)
	if err != nil || len(list) != 1 || list[0].ID != "5150" {
		t.Fatalf("members %+v, %v: want Leo with the new id only", list, err)
	}
}

// A new id for a known name takes the old id's live plans and pending
// prebookings, not a removed plan; a pending prebooking whose class the new
// id has one of already is withdrawn (left on the old id it would book it).
func TestSetFamilyMemberMovesWhatBookedTheOldID(t *testing.T) {
	s, _ := openStore(t)
	ctx := t.Context()
	addPrebookings(t, s, 1) // box 1
	if _, err := s.AddFamilyMember(ctx, "Leo", "4242"); err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 11, 27, 7, 0, 0, 0, time.UTC)
	add := func(class int64, who string) Prebooking {
		p, err := s.AddPrebooking(ctx, NewPrebooking{BoxID: 1, ClassID: class, Day: classDay, ClassName: "WOD",
			ClassStart: start.Add(time.Duration(class) * time.Hour), FamilyID: who})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	moved, twin := add(1, "4242"), add(2, "4242")
	add(2, "4243")
	if _, err := s.AddPlan(ctx, NewPlan{BoxID: 1, Days: AllWeekdays, Time: ClockTime{Hour: 7}, Class: "WOD", FamilyID: "4242"}); err != nil {
		t.Fatal(err)
	}
	c, err := s.SetFamilyMember(ctx, "leo", "4243")
	if err != nil {
		t.Fatal(err)
	}
	if c.OldID != "4242" || c.Plans != 1 || c.Prebookings != 1 || c.Withdrawn != 1 || c.Setting {
		t.Errorf("change %+v", c)
	}
	if p, _ := s.Prebooking(ctx, moved.ID); p.FamilyID != "4243" || p.Status != PrebookPending {
		t.Errorf("moved prebooking %s for %q", p.Status, p.FamilyID)
	}
	if p, _ := s.Prebooking(ctx, twin.ID); p.Status != PrebookCancelled || p.OutcomeCode != OutcomeFamilyMoved {
		t.Errorf("the old id's twin %s (%s) for %q: want withdrawn", p.Status, p.OutcomeCode, p.FamilyID)
	}
	pending, _ := s.Prebookings(ctx, PrebookingQuery{Statuses: []PrebookingStatus{PrebookPending}})
	for _, p := range pending {
		if p.FamilyID == "4242" {
			t.Errorf("prebooking %d still books the old id", p.ID)
		}
	}
	if list, _ := s.FamilyMembers(ctx); len(list) != 1 || list[0].ID != "4243" {
		t.Errorf("members %+v", list)
	}
}
