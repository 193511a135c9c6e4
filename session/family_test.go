package session

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
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
