package session

import (
	"path/filepath"
	"testing"
)

// Another process's rule or zone change moves the version this one reads;
// a read that changes nothing does not.
func TestBoxesVersionSeesOtherProcessesChanges(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "ahtui.db")
	clock := newTestClock()
	a := openAt(t, path, WithClock(clock.Now))
	b := openAt(t, path, WithClock(clock.Now)) // another process on the same file
	if err := a.SyncBoxes(ctx, []BoxInfo{{ID: 20, Subdomain: "norte", Name: "Norte CF"}}); err != nil {
		t.Fatal(err)
	}
	version := func(s *Store) int64 {
		t.Helper()
		v, err := s.BoxesVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	v0 := version(b)
	if v0 != version(a) {
		t.Fatalf("the two stores read different versions")
	}
	if _, err := b.Boxes(ctx); err != nil {
		t.Fatal(err)
	}
	if version(b) != v0 {
		t.Fatalf("a read moved the version")
	}
	steps := []struct {
		name   string
		change func() error
	}{
		{"learned rule", func() error { return a.SetLearnedWindow(ctx, 20, "4d") }},
		{"member rule", func() error { return a.SetMemberWindow(ctx, 20, "2d@12:00") }},
		{"time zone", func() error { return a.SetBoxTimezone(ctx, 20, "Atlantic/Canary") }},
		{"address", func() error { _, _, err := a.NoteBoxAddress(ctx, 20, "Calle Mayor 1, 35003 Las Palmas"); return err }},
	}
	last := v0
	for _, st := range steps {
		if err := st.change(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if v := version(b); v == last {
			t.Fatalf("%s: the other store still reads version %d", st.name, v)
		} else {
			last = v
		}
	}
	box, err := b.Box(ctx, 20)
	if err != nil || box.MemberWindow != "2d@12:00" || box.Timezone != "Atlantic/Canary" {
		t.Fatalf("other store reads %+v, %v", box, err)
	}
}
