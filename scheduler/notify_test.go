//go:build unix

package scheduler

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ahtui/ahtui/session"
)

// syncBuffer is a log destination safe for concurrent writers.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func testLogger() (*slog.Logger, *syncBuffer) {
	buf := &syncBuffer{}
	return slog.New(slog.NewTextHandler(buf, nil)), buf
}

func setNotifyCommand(t *testing.T, store *session.Store, command string) {
	t.Helper()
	if err := store.SetSetting(t.Context(), session.SettingNotifyCommand, command); err != nil {
		t.Fatal(err)
	}
}

// received is one run of the recording command: the JSON it read on
// stdin and its AHTUI_* environment.
type received struct {
	note Notification
	raw  map[string]any
	env  map[string]string
}

// recordCommand appends, for every run, the stdin line, the AHTUI_*
// variables and a separator to out (runs are one at a time).
func recordCommand(out string) string {
	return fmt.Sprintf(`{ cat; env | grep '^AHTUI_' | sort; echo ===; } >> %q`, out)
}

func readReceived(t *testing.T, path string) []received {
	t.Helper()
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var out []received
	for _, block := range strings.Split(string(data), "===\n") {
		if strings.TrimSpace(block) == "" {
			continue
		}
		sc := bufio.NewScanner(strings.NewReader(block))
		sc.Buffer(make([]byte, 64*1024), 1024*1024)
		var r received
		r.env = map[string]string{}
		first := true
		for sc.Scan() {
			line := sc.Text()
			if first {
				first = false
				if err := json.Unmarshal([]byte(line), &r.note); err != nil {
					t.Fatalf("stdin %q is not the JSON notification: %v", line, err)
				}
				_ = json.Unmarshal([]byte(line), &r.raw)
				continue
			}
			if k, v, ok := strings.Cut(line, "="); ok {
				r.env[k] = v
			}
		}
		out = append(out, r)
	}
	return out
}

func testPrebooking(h *harness, status session.PrebookingStatus) session.Prebooking {
	start := time.Date(2026, 11, 25, 8, 0, 0, 0, madrid)
	return session.Prebooking{
		ID: 42, BoxID: h.box.ID, ClassID: 106015104, Day: testClassDay, ClassName: "WOD",
		ClassStart: start, OpensAt: testOpening, Status: status, Attempts: 3,
		OutcomeCode: string(status), ReservationID: 106028586,
	}
}

// TestNotifyCommandReceivesEachOutcome publishes every kind of event the
// hook is for, and a few it is not, and checks what the command read on
// stdin and in its environment.
func TestNotifyCommandReceivesEachOutcome(t *testing.T) {
	t.Parallel()
	h := newHarness(t, testOpening.Add(-time.Hour), 0, 0)
	out := filepath.Join(t.TempDir(), "received")
	setNotifyCommand(t, h.store, recordCommand(out))
	log, logs := testLogger()
	broker := newBroker()
	n := startNotifier(broker, h.store, log, NotifyConfig{}, func() bool { return true })

	at := testOpening.Add(-time.Hour)
	broker.publish(LeaderChanged{At: at, Leader: true})
	booked := testPrebooking(h, session.PrebookBooked)
	waitlisted := testPrebooking(h, session.PrebookWaitlisted)
	failed := testPrebooking(h, session.PrebookFailed)
	failed.OutcomeCode, failed.OutcomeMessage, failed.ReservationID = "full", "Esta clase está completa", 0
	missed := testPrebooking(h, session.PrebookMissed)
	missed.OutcomeMessage, missed.Late = "its booking window opened while no runner was running", true
	late := testPrebooking(h, session.PrebookFiring)
	for _, e := range []Event{
		PrebookingArmed{At: at, Prebooking: booked}, // not notified
		PrebookingOutcome{At: at, Prebooking: booked},
		PrebookingOutcome{At: at, Prebooking: waitlisted},
		PrebookingOutcome{At: at, Prebooking: failed},
		PrebookingMissed{At: at, Prebooking: missed},
		PrebookingLate{At: at, Prebooking: late},
		SessionRefreshed{At: at, Kind: session.KindBackground}, // not notified
		SessionDead{At: at, Kind: session.KindDevice, Reason: "logout"},
		SessionDead{At: at, Kind: session.KindBackground, Reason: "AimHarder answered logout"},
		HealthWarning{At: at, Problem: "prebooking #42 WOD fires in 2h but the background session has expired"},
		HealthWarning{At: at.Add(30 * time.Minute), Problem: "still"}, // a repeat within 2 h: not notified
		HealthWarning{At: at.Add(time.Hour), Resolved: true},
		PrebookingNotStored{At: at, Prebooking: booked, Err: "database is locked"},
		WindowRuleWrong{At: at, Box: testBox, MemberRule: "3d", ServerRule: "2d", Prebooking: late},
	} {
		broker.publish(e)
	}
	n.stop()

	got := readReceived(t, out)
	var events []string
	for _, r := range got {
		events = append(events, r.note.Event+"/"+r.note.Outcome)
	}
	want := []string{
		"prebooking_outcome/booked", "prebooking_outcome/waitlisted", "prebooking_outcome/failed",
		"prebooking_missed/missed", "prebooking_late/late", "session_dead/session_dead",
		"health_warning/warning", "health_resolved/resolved",
		"prebooking_not_stored/booked", "window_rule_wrong/warning",
	}
	if strings.Join(events, " ") != strings.Join(want, " ") {
		t.Fatalf("the command received %v, want %v\nlog:\n%s", events, want, logs)
	}

	b := got[0]
	wantEnv := map[string]string{
		"AHTUI_EVENT": "prebooking_outcome", "AHTUI_OUTCOME": "booked", "AHTUI_CLASS": "WOD",
		"AHTUI_DAY": "2026-11-25", "AHTUI_START": "08:00", "AHTUI_STARTS_AT": "2026-11-25T08:00:00+01:00",
		"AHTUI_BOX": testBox, "AHTUI_BOX_NAME": "Test Box", "AHTUI_PREBOOKING_ID": "42",
		"AHTUI_CLASS_ID": "106015104", "AHTUI_RESERVATION_ID": "106028586", "AHTUI_ATTEMPTS": "3",
		"AHTUI_TITLE": "Booked: WOD Wed 25 Nov 08:00", "AHTUI_LATE": "", "AHTUI_SESSION": "",
		"AHTUI_TIME": at.Format(time.RFC3339),
	}
	for k, v := range wantEnv {
		if got, ok := b.env[k]; !ok || got != v {
			t.Errorf("booked: %s=%q (set %v), want %q", k, got, ok, v)
		}
	}
	if !strings.Contains(b.env["AHTUI_MESSAGE"], "booked") {
		t.Errorf("AHTUI_MESSAGE %q", b.env["AHTUI_MESSAGE"])
	}
	if b.note.Box != testBox || b.note.ReservationID != 106028586 || b.note.Start != "08:00" || b.note.Title != wantEnv["AHTUI_TITLE"] {
		t.Errorf("booked JSON: %+v", b.note)
	}
	if _, ok := b.raw["session"]; ok {
		t.Errorf("the JSON carries a field that does not apply: %v", b.raw)
	}
	if f := got[2]; f.env["AHTUI_REASON"] != `the class is full — AimHarder says: "Esta clase está completa"` || f.env["AHTUI_CODE"] != "full" || f.env["AHTUI_RESERVATION_ID"] != "" {
		t.Errorf("failed: %v", f.env)
	}
	if m := got[3]; m.env["AHTUI_LATE"] != "1" || !m.note.Late || !strings.HasPrefix(m.note.Title, "Prebooking missed: WOD") {
		t.Errorf("missed: %+v", m.note)
	}
	if d := got[5]; d.env["AHTUI_SESSION"] != "background" || d.env["AHTUI_CLASS"] != "" || d.note.Reason != "AimHarder answered logout" {
		t.Errorf("session dead: %v", d.env)
	}
	if w := got[6]; !strings.Contains(w.env["AHTUI_REASON"], "fires in 2h") {
		t.Errorf("health warning: %v", w.env)
	}
	if ns := got[8]; !strings.Contains(ns.note.Message, "could not be saved") || ns.note.ReservationID != 106028586 {
		t.Errorf("outcome not stored: %+v", ns.note)
	}
	if w := got[9]; !strings.Contains(w.note.Title, "AimHarder says 2d") || w.env["AHTUI_BOX"] != testBox {
		t.Errorf("window rule wrong: %+v", w.note)
	}
	for _, r := range got {
		for k, v := range r.env {
			if strings.Contains(v, testPassword) {
				t.Errorf("%s carries the password", k)
			}
		}
	}
	if !strings.Contains(logs.String(), "notify_command ran") {
		t.Errorf("runs not logged:\n%s", logs)
	}
}

// Only the runner that leads notifies about session health; prebooking
// outcomes come only from the runner that fired them. Session news heard
// before this runner won the lead is delivered once it leads, unless it
// went away meanwhile.
func TestNotifyOnlyTheLeaderReportsSessionHealth(t *testing.T) {
	t.Parallel()
	h := newHarness(t, testOpening.Add(-time.Hour), 0, 0)
	at := testOpening.Add(-time.Hour)
	run := func(events ...Event) []string {
		out := filepath.Join(t.TempDir(), "received")
		setNotifyCommand(t, h.store, recordCommand(out))
		log, _ := testLogger()
		broker := newBroker()
		n := startNotifier(broker, h.store, log, NotifyConfig{}, func() bool { return false })
		for _, e := range events {
			broker.publish(e)
		}
		n.stop()
		var got []string
		for _, r := range readReceived(t, out) {
			got = append(got, r.note.Event)
		}
		return got
	}
	dead := SessionDead{At: at, Kind: session.KindBackground, Reason: "logout"}
	warn := HealthWarning{At: at, Problem: "dead"}
	outcome := PrebookingOutcome{At: at, Prebooking: testPrebooking(h, session.PrebookBooked)}

	if got := run(dead, warn, outcome); !slices.Equal(got, []string{"prebooking_outcome"}) {
		t.Errorf("a runner that does not lead notified %v", got)
	}
	if got := run(dead, warn, LeaderChanged{At: at, Leader: true}); !slices.Equal(got, []string{"session_dead", "health_warning"}) {
		t.Errorf("news held until the lead was won: %v", got)
	}
	relogged := SessionRelogged{At: at, Kind: session.KindBackground}
	resolved := HealthWarning{At: at, Resolved: true}
	if got := run(dead, warn, relogged, resolved, LeaderChanged{At: at, Leader: true}); len(got) != 0 {
		t.Errorf("news that went away before the lead was won was notified: %v", got)
	}
}

// processGone reports whether pid has exited (gone, or a zombie nobody
// reaped yet).
func processGone(pid int) bool {
	if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
		return true
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return errors.Is(err, os.ErrNotExist)
	}
	// pid (comm) state …: the state follows the last ')'.
	rest := stat[bytes.LastIndexByte(stat, ')')+1:]
	return len(bytes.TrimSpace(rest)) > 0 && bytes.TrimSpace(rest)[0] == 'Z'
}

func readPID(t *testing.T, path string) int {
	t.Helper()
	var pid int
	waitFor(t, "the command to start", func() bool {
		data, err := os.ReadFile(path)
		if err != nil {
			return false
		}
		pid, err = strconv.Atoi(strings.TrimSpace(string(data)))
		return err == nil && pid > 0
	})
	return pid
}

// hangCommand starts a child that never ends, notes its pid, and waits
// for it: only killing the process group ends the child.
func hangCommand(dir string) string {
	return fmt.Sprintf(`echo "$AHTUI_EVENT" >> %q; sleep 600 & echo $! > %q; wait`,
		filepath.Join(dir, "events"), filepath.Join(dir, "child"))
}

// TestNotifyCommandTimeoutKillsTheProcessGroup: a command still running
// at its timeout is stopped with its children, logged, and not retried.
func TestNotifyCommandTimeoutKillsTheProcessGroup(t *testing.T) {
	t.Parallel()
	h := newHarness(t, testOpening.Add(-time.Hour), 0, 0)
	dir := t.TempDir()
	setNotifyCommand(t, h.store, hangCommand(dir))
	log, logs := testLogger()
	broker := newBroker()
	n := startNotifier(broker, h.store, log, NotifyConfig{Timeout: 200 * time.Millisecond, Grace: time.Minute},
		func() bool { return true })
	broker.publish(PrebookingOutcome{At: testOpening, Prebooking: testPrebooking(h, session.PrebookBooked)})
	child := readPID(t, filepath.Join(dir, "child"))
	n.stop() // returns once the run ended: at its timeout
	waitFor(t, "the command's child to be killed", func() bool { return processGone(child) })
	if !strings.Contains(logs.String(), "notify_command took too long and was stopped") {
		t.Errorf("the timeout was not logged:\n%s", logs)
	}
	if data, _ := os.ReadFile(filepath.Join(dir, "events")); strings.Count(string(data), "prebooking_outcome") != 1 {
		t.Errorf("the command ran %q times, want once (never retried)", data)
	}
}

// TestNotifyCommandFailureIsLogged: a failing command is logged with its
// exit status and the last line of its error output, scrubbed of what
// looks like a secret, and is not retried.
func TestNotifyCommandFailureIsLogged(t *testing.T) {
	t.Parallel()
	h := newHarness(t, testOpening.Add(-time.Hour), 0, 0)
	dir := t.TempDir()
	const botToken = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
	setNotifyCommand(t, h.store, fmt.Sprintf(
		`echo run >> %q; echo "curl: (22) The requested URL returned error: 404 https://api.telegram.org/bot%s/sendMessage" >&2; exit 3`,
		filepath.Join(dir, "runs"), botToken))
	log, logs := testLogger()
	broker := newBroker()
	n := startNotifier(broker, h.store, log, NotifyConfig{}, func() bool { return true })
	broker.publish(PrebookingOutcome{At: testOpening, Prebooking: testPrebooking(h, session.PrebookFailed)})
	n.stop()
	text := logs.String()
	if !strings.Contains(text, "notify_command failed") || !strings.Contains(text, "exit status 3") ||
		!strings.Contains(text, "https://api.telegram.org/…") {
		t.Errorf("the failure is not logged with its status and error line:\n%s", text)
	}
	if strings.Contains(text, botToken) || strings.Contains(text, "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw") {
		t.Errorf("the log shows the bot token:\n%s", text)
	}
	if data, _ := os.ReadFile(filepath.Join(dir, "runs")); string(data) != "run\n" {
		t.Errorf("runs %q, want exactly one", data)
	}
}

// A notification that finds the queue full (the command hangs) is dropped
// and logged; the publisher is never held up.
func TestNotifyQueueIsBounded(t *testing.T) {
	t.Parallel()
	h := newHarness(t, testOpening.Add(-time.Hour), 0, 0)
	dir := t.TempDir()
	setNotifyCommand(t, h.store, hangCommand(dir))
	log, logs := testLogger()
	broker := newBroker()
	n := startNotifier(broker, h.store, log, NotifyConfig{Queue: 1, Timeout: time.Hour, Grace: 50 * time.Millisecond},
		func() bool { return true })
	broker.publish(PrebookingOutcome{At: testOpening, Prebooking: testPrebooking(h, session.PrebookBooked)})
	child := readPID(t, filepath.Join(dir, "child"))
	for range 5 {
		broker.publish(PrebookingOutcome{At: testOpening, Prebooking: testPrebooking(h, session.PrebookFailed)})
	}
	waitFor(t, "a dropped notification", func() bool { return strings.Contains(logs.String(), "queue full") })
	n.stop()
	waitFor(t, "the hanging command to be killed at shutdown", func() bool { return processGone(child) })
	if !strings.Contains(logs.String(), "ahtui is shutting down") {
		t.Errorf("the kill at shutdown was not logged:\n%s", logs)
	}
}

// TestHangingNotifyCommandDoesNotDelayAFiring runs the whole runner:
// a prebooking found missed at start makes notify_command hang; three
// minutes later (simulated) another prebooking opens and must be fired at
// the server's instant all the same, while the hang still goes on. At
// shutdown the hanging command is killed with its process group, and the
// outcome that was queued behind it is not lost silently.
func TestHangingNotifyCommandDoesNotDelayAFiring(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	h := newHarness(t, testOpening.Add(-3*time.Minute), 0, 0)
	dir := t.TempDir()
	setNotifyCommand(t, h.store, hangCommand(dir))

	// A prebooking whose class started an hour ago: missed at once.
	gone := h.clock.Now().Add(-time.Hour).In(madrid)
	missed, err := h.store.AddPrebooking(ctx, session.NewPrebooking{BoxID: h.box.ID, ClassID: 1, Day: testClassDay.AddDays(-2),
		ClassName: "EARLY", ClassStart: gone, OpensAt: gone.Add(-48 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	wod := h.prebook(h.store, "WOD", false)

	log, logs := testLogger()
	r := h.newRunner(h.store, "runner", func(c *Config) {
		c.NoKeeper = true
		c.Logger = log
		c.Notify = NotifyConfig{Timeout: time.Hour, Grace: 100 * time.Millisecond}
	})
	runCtx, stop := context.WithCancel(ctx)
	var running sync.WaitGroup
	running.Go(func() { _ = r.Run(runCtx) })
	// The missed prebooking needs no simulated time: the hang starts
	// before the clock moves towards the opening at all.
	child := readPID(t, filepath.Join(dir, "child"))
	drive := h.clock.AutoAdvance(ctx, 0)
	h.waitFinal(missed.ID, wod.ID)
	notified, _ := os.ReadFile(filepath.Join(dir, "events"))
	stop()
	running.Wait()
	drive()

	if string(notified) != "prebooking_missed\n" {
		t.Errorf("notify_command ran for %q by the time the WOD was booked, want only the hanging run for the missed one", notified)
	}
	got, _ := h.store.Prebooking(ctx, wod.ID)
	if got.Status != session.PrebookBooked || got.Late {
		t.Fatalf("WOD: %s late=%v (%s)", got.Status, got.Late, got.OutcomeMessage)
	}
	var first *time.Time
	for _, q := range h.bookRequests(wod.ClassID) {
		if q.Arrived.Before(testOpening.Add(-earlyMargin)) {
			t.Errorf("a booking request arrived %v before the opening", testOpening.Sub(q.Arrived))
		}
		if accepted(q) && first == nil {
			at := q.Arrived
			first = &at
		}
	}
	if first == nil {
		t.Fatal("no booking was accepted")
	}
	if late := first.Sub(testOpening); late < 0 || late > earlyMargin {
		t.Errorf("the accepted booking arrived %v after the opening (server time), want within [0, %v]", late, earlyMargin)
	}
	if m, _ := h.store.Prebooking(ctx, missed.ID); m.Status != session.PrebookMissed {
		t.Errorf("the early class: %s", m.Status)
	}
	waitFor(t, "the hanging command to be killed at shutdown", func() bool { return processGone(child) })
	text := logs.String()
	if !strings.Contains(text, "notify_command stopped: ahtui is shutting down") ||
		!strings.Contains(text, "notify: not sent, ahtui is stopping") {
		t.Errorf("the shutdown of the hook is not logged:\n%s", text)
	}
}

// A notification for a family member's prebooking or plan says for whom:
// in the title (English and Spanish), and in family / family_id (JSON)
// and AHTUI_FAMILY / AHTUI_FAMILY_ID; the holder's carry neither.
func TestNotifyNamesTheFamilyMember(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		lang, leo, plan, holder string
	}{
		{"en", "Booked for Leo: WOD Wed 25 Nov 08:00", "Booked for 5150 (every Wed 08:00 WOD): WOD Wed 25 Nov 08:00",
			"Booked: WOD Wed 25 Nov 08:00"},
		{"es", "Reservada para Leo: WOD mié 25 nov 08:00", "para 5150 (", "Reservada: WOD mié 25 nov 08:00"},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			h := newHarness(t, testOpening.Add(-time.Hour), 0, 0)
			out := filepath.Join(t.TempDir(), "received")
			setNotifyCommand(t, h.store, recordCommand(out))
			for k, v := range map[string]string{session.SettingLanguage: tc.lang, session.SettingFamilyID: "5150"} {
				if err := h.store.SetSetting(ctx, k, v); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := h.store.AddFamilyMember(ctx, "Leo", "4243"); err != nil {
				t.Fatal(err)
			}
			log, _ := testLogger()
			broker := newBroker()
			n := startNotifier(broker, h.store, log, NotifyConfig{}, func() bool { return true })
			at := testOpening.Add(-time.Hour)
			leo := testPrebooking(h, session.PrebookBooked)
			leo.FamilyID = "4243"
			holder := testPrebooking(h, session.PrebookBooked)
			start := time.Date(2026, 11, 25, 8, 0, 0, 0, madrid)
			plan := session.Plan{ID: 7, BoxID: h.box.ID, Days: session.WeekdaysOf(time.Wednesday),
				Time: session.ClockTime{Hour: 8}, Class: "WOD"} // follows family_id
			broker.publish(PrebookingOutcome{At: at, Prebooking: leo})
			broker.publish(PlanOccurrence{At: at, Plan: plan, Class: "WOD", Start: start, Outcome: "booked",
				Record: session.OccurrenceRecord{PlanID: 7, Day: testClassDay, State: session.OccBooked}})
			broker.publish(PrebookingOutcome{At: at, Prebooking: holder})
			n.stop()

			got := readReceived(t, out)
			if len(got) != 3 {
				t.Fatalf("%d runs, want 3", len(got))
			}
			if l := got[0]; l.note.Title != tc.leo || l.note.Family != "Leo" || l.note.FamilyID != "4243" ||
				l.env["AHTUI_FAMILY"] != "Leo" || l.env["AHTUI_FAMILY_ID"] != "4243" || l.env["AHTUI_TITLE"] != tc.leo {
				t.Errorf("Leo's: %+v %v, want title %q", l.note, l.env, tc.leo)
			}
			if p := got[1]; !strings.Contains(p.note.Title, tc.plan) || p.note.Family != "5150" || p.raw["family_id"] != "5150" {
				t.Errorf("the plan's: %+v, want title with %q", p.note, tc.plan)
			}
			if hd := got[2]; hd.note.Title != tc.holder || hd.env["AHTUI_FAMILY"] != "" {
				t.Errorf("the holder's: %+v %v", hd.note, hd.env)
			} else if _, ok := hd.raw["family"]; ok {
				t.Errorf("the holder's JSON carries family: %v", hd.raw)
			}
		})
	}
}
