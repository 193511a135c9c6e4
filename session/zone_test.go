package session

import (
	"testing"
	"time"

	"github.com/ahtui/ahtui/aimharder"
)

func zoneAt(t *testing.T, name string, y int, mo time.Month, d, h, mi int) time.Time {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return time.Date(y, mo, d, h, mi, 0, 0, loc)
}

func TestTimezoneDetectedFromNameAndAddress(t *testing.T) {
	s, _ := openStore(t)
	ctx := t.Context()
	if err := s.SyncBoxes(ctx, []BoxInfo{
		{ID: 1, Subdomain: "palmas", Name: "Demo Box Las Palmas"},
		{ID: 2, Subdomain: "isla", Name: "Funcional Isla"},
	}); err != nil {
		t.Fatal(err)
	}
	palmas, isla := mustBox(t, s, 1), mustBox(t, s, 2)
	if palmas.Timezone != "Atlantic/Canary" || palmas.TimezoneSource() != TimezoneDetected || palmas.TimezoneClue != "Las Palmas" {
		t.Errorf("named box: %+v (%s)", palmas, palmas.TimezoneSource())
	}
	if isla.Timezone != DefaultTimezone || isla.TimezoneSource() != TimezoneDefault || isla.DetectedTimezone != "" {
		t.Errorf("unplaced box: %+v (%s)", isla, isla.TimezoneSource())
	}

	// Its first class list gives the address: a 38xxx postcode.
	if err := s.SetLearnedWindow(ctx, 2, "4d"); err != nil {
		t.Fatal(err)
	}
	b, changed, err := s.NoteBoxAddress(ctx, 2, " Calle La Noria 4, 38003 ")
	if err != nil || !changed || b.Timezone != "Atlantic/Canary" || b.TimezoneSource() != TimezoneDetected ||
		b.TimezoneClue != "38003" || b.Address != "Calle La Noria 4, 38003" {
		t.Fatalf("after the address: %+v changed=%v %v", b, changed, err)
	}
	if loc, err := b.Location(); err != nil || loc.String() != "Atlantic/Canary" {
		t.Errorf("Location() = %v %v", loc, err)
	}
	if _, changed, err := s.NoteBoxAddress(ctx, 2, "Calle La Noria 4, 38003"); err != nil || changed {
		t.Errorf("the same address again: changed=%v %v", changed, err)
	}
	if _, changed, err := s.NoteBoxAddress(ctx, 2, ""); err != nil || changed || mustBox(t, s, 2).Address == "" {
		t.Errorf("no address in a list: changed=%v %v, address forgotten", changed, err)
	}

	// The member's zone wins; detection is still recorded, and unsetting
	// goes back to it.
	if err := s.SetBoxTimezone(ctx, 2, "Europe/Lisbon"); err != nil {
		t.Fatal(err)
	}
	b, changed, err = s.NoteBoxAddress(ctx, 2, "Avenida Marítima 1, 35003 Las Palmas")
	if err != nil || changed || b.Timezone != "Europe/Lisbon" || b.TimezoneSource() != TimezoneMember || b.DetectedTimezone != "Atlantic/Canary" {
		t.Errorf("member's zone: %+v changed=%v %v", b, changed, err)
	}
	if err := s.SetBoxTimezone(ctx, 2, ""); err != nil {
		t.Fatal(err)
	}
	if b := mustBox(t, s, 2); b.Timezone != "Atlantic/Canary" || b.TimezoneSource() != TimezoneDetected {
		t.Errorf("unset: %+v", b)
	}

	// The box moved to the mainland: detected again.
	b, changed, err = s.NoteBoxAddress(ctx, 2, "Calle Mayor 1, 28013 Madrid")
	if err != nil || !changed || b.Timezone != DefaultTimezone || b.TimezoneSource() != TimezoneDetected || b.TimezoneClue != "28013" {
		t.Errorf("moved: %+v changed=%v %v", b, changed, err)
	}
	// A detected Europe/Madrid is detected, not a guess; a later rename
	// keeps the address's verdict.
	if err := s.SyncBoxes(ctx, []BoxInfo{{ID: 2, Subdomain: "isla", Name: "Isla Tenerife"}}); err != nil {
		t.Fatal(err)
	}
	if b := mustBox(t, s, 2); b.Timezone != DefaultTimezone || b.TimezoneClue != "28013" {
		t.Errorf("renamed: %+v", b)
	}
}

// When detection changes a box's zone, its pending prebookings keep the
// class's wall-clock time and open by the rule in the new zone; an opening
// AimHarder stated stays; finished prebookings are history.
func TestDetectedZoneMovesPendingPrebookings(t *testing.T) {
	s, _ := openStore(t)
	ctx := t.Context()
	if err := s.SyncBoxes(ctx, []BoxInfo{{ID: 7, Subdomain: "box", Name: "Box"}}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetLearnedWindow(ctx, 7, "4d"); err != nil {
		t.Fatal(err)
	}
	day := aimharder.Date{Year: 2026, Month: 12, Day: 18}
	madridStart := zoneAt(t, "Europe/Madrid", 2026, 12, 18, 10, 0) // as first read, in the default zone
	add := func(classID int64) Prebooking {
		p, err := s.AddPrebooking(ctx, NewPrebooking{BoxID: 7, ClassID: classID, Day: day, ClassName: "WOD",
			ClassStart: madridStart, OpensAt: madridStart.AddDate(0, 0, -4)})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	plain, stated, done := add(1), add(2), add(3)
	// 2: fired and re-armed at an opening AimHarder stated.
	statedAt := zoneAt(t, "UTC", 2026, 12, 14, 12, 0)
	if _, won, err := s.Claim(ctx, stated.ID, "runner-a"); err != nil || !won {
		t.Fatalf("claim: %v %v", won, err)
	}
	if err := s.Rearm(ctx, stated.ID, "runner-a", statedAt); err != nil {
		t.Fatal(err)
	}
	// 3: fired and finished.
	if _, won, err := s.Claim(ctx, done.ID, "runner-a"); err != nil || !won {
		t.Fatalf("claim: %v %v", won, err)
	}
	if _, err := s.Finish(ctx, done.ID, "runner-a", Outcome{Status: PrebookFailed, Code: "too_early"}); err != nil {
		t.Fatal(err)
	}

	if _, changed, err := s.NoteBoxAddress(ctx, 7, "Avenida Marítima 3, 35003 Las Palmas de Gran Canaria"); err != nil || !changed {
		t.Fatalf("address: changed=%v %v", changed, err)
	}
	canaryStart := zoneAt(t, "Atlantic/Canary", 2026, 12, 18, 10, 0)
	if got, err := s.Prebooking(ctx, plain.ID); err != nil || !got.ClassStart.Equal(canaryStart) ||
		!got.OpensAt.Equal(canaryStart.AddDate(0, 0, -4)) || !got.OpensAt.Equal(plain.OpensAt.Add(time.Hour)) {
		t.Errorf("pending: %+v %v, want the class at 10:00 Canary, opening 4 days before (an hour later in UTC)", got, err)
	}
	if got, _ := s.Prebooking(ctx, stated.ID); !got.ClassStart.Equal(canaryStart) || !got.OpensAt.Equal(statedAt) {
		t.Errorf("stated opening moved: %+v", got)
	}
	if got, _ := s.Prebooking(ctx, done.ID); !got.ClassStart.Equal(madridStart) {
		t.Errorf("finished prebooking moved: %+v", got)
	}
	// Where the runner looks (reconcileOpenings): the box's rule in its
	// stored zone gives the same opening, so nothing moves it back.
	box := mustBox(t, s, 7)
	if opens, ok := box.Rule().OpensAt(canaryStart); !ok || !opens.Equal(canaryStart.AddDate(0, 0, -4)) {
		t.Errorf("rule opening %v %v", opens, ok)
	}
}

func TestDetectAllBoxes(t *testing.T) {
	s, _ := openStore(t)
	ctx := t.Context()
	if err := s.SyncBoxes(ctx, []BoxInfo{{ID: 1, Subdomain: "a", Name: "CrossFit Arrecife"}}); err != nil {
		t.Fatal(err)
	}
	// As an older ahtui left it: the default zone, nothing detected.
	if _, err := s.db.ExecContext(ctx, `UPDATE boxes SET timezone = 'Europe/Madrid', detected_timezone = '', timezone_clue = ''`); err != nil {
		t.Fatal(err)
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if err := detectAllBoxes(ctx, tx, time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if b := mustBox(t, s, 1); b.Timezone != "Atlantic/Canary" || b.TimezoneSource() != TimezoneDetected {
		t.Errorf("after the migration's fill: %+v", b)
	}
}
