package tui

import (
	"bytes"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/tui/i18n"
)

func TestBellRingsOnPrebookingOutcomesOnly(t *testing.T) {
	var rings atomic.Int32
	e := newEnvWith(t, 80, 24, Config{Lang: i18n.EN, Renderer: asciiRenderer(), Bell: func() { rings.Add(1) }})
	e.send(EventMsg{Kind: EventChanged})
	e.send(EventMsg{Kind: EventSession})
	e.send(EventMsg{Kind: EventWarning, Message: "the background session has expired"})
	if n := rings.Load(); n != 0 {
		t.Fatalf("the bell rang %d times for news that is not an outcome", n)
	}
	for _, st := range []session.PrebookingStatus{session.PrebookBooked, session.PrebookFailed, session.PrebookMissed} {
		e.send(EventMsg{Kind: EventPrebookingFinished, BoxID: testBox.ID, Day: testWeek, PrebookingID: 1,
			Status: st, Class: "WOD", ClassStart: testNow})
	}
	if n := rings.Load(); n != 3 {
		t.Fatalf("the bell rang %d times for 3 outcomes", n)
	}

	// Without a bell nothing breaks.
	e = newEnv(t, 80, 24, i18n.EN)
	e.send(EventMsg{Kind: EventPrebookingFinished, BoxID: testBox.ID, Day: testWeek, PrebookingID: 1,
		Status: session.PrebookBooked, Class: "WOD", ClassStart: testNow})
}

// A terminal is handed back as it is, so Bubble Tea still sees a terminal.
func TestBellOutputKeepsAFile(t *testing.T) {
	f, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out, bell := BellOutput(f)
	if out != f {
		t.Fatalf("BellOutput(*os.File) = %T, want the file itself", out)
	}
	bell()
	if data, _ := os.ReadFile(f.Name()); string(data) != "\a" {
		t.Fatalf("the bell wrote %q", data)
	}
}

// overlapDetector fails when two writes are in progress at once, and
// keeps everything written.
type overlapDetector struct {
	busy     atomic.Bool
	overlaps atomic.Int32
	mu       sync.Mutex
	buf      bytes.Buffer
}

func (o *overlapDetector) Write(p []byte) (int, error) {
	if !o.busy.CompareAndSwap(false, true) {
		o.overlaps.Add(1)
	}
	// Written in pieces, as an SSH channel splits a large write into
	// packets: another writer getting in between would split a sequence.
	for i := 0; i < len(p); i += 7 {
		o.mu.Lock()
		o.buf.Write(p[i:min(i+7, len(p))])
		o.mu.Unlock()
	}
	o.busy.Store(false)
	return len(p), nil
}

func (o *overlapDetector) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.String()
}

// bellsOutsideSequences counts BELs in the plain text of a terminal
// stream and reports one found inside a control sequence (CSI or OSC),
// where it would break the sequence or end it early.
func bellsOutsideSequences(s string) (bells int, broken bool) {
	const (
		plain = iota
		esc
		csi
		osc
	)
	state := plain
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch state {
		case plain:
			switch c {
			case 0x1b:
				state = esc
			case '\a':
				bells++
			}
		case esc:
			switch c {
			case '[':
				state = csi
			case ']':
				state = osc
			default:
				state = plain
			}
		case csi:
			if c == '\a' {
				broken = true
			}
			if c >= 0x40 && c <= 0x7e {
				state = plain
			}
		case osc:
			if c == '\a' {
				broken = true
			}
			if c == 0x1b {
				state = esc
			}
		}
	}
	return bells, broken
}

// TestBellThroughTheProgramsOutput runs the real program on a writer that
// splits every write: the bell rung on an outcome reaches the output once,
// between two of the renderer's writes, never inside a frame's sequences.
func TestBellThroughTheProgramsOutput(t *testing.T) {
	rec := &overlapDetector{}
	out, bell := BellOutput(rec)
	acct := newFakeAccount(testDays(testWeek, testNow, true))
	store := newFakeStore(func() time.Time { return testNow })
	m := New(Config{Account: acct, Store: store, Lang: i18n.EN, Renderer: asciiRenderer(),
		Now: func() time.Time { return testNow }, Bell: bell})
	// No real timers: one left pending after the program quits fires
	// during a later test, and TestTimesInBoxTimeWhateverTheMachineZone
	// sets time.Local, which a firing timer reads (a data race). Waits end
	// at once; the clock does not tick.
	at := func(d time.Duration, fn func(time.Time) tea.Msg) tea.Cmd {
		return func() tea.Msg { return fn(testNow.Add(d)) }
	}
	m.every = func(time.Duration, func(time.Time) tea.Msg) tea.Cmd { return nil }
	m.after, m.toasts.After = at, at
	p := tea.NewProgram(m, tea.WithInput(nil), tea.WithOutput(out), tea.WithAltScreen(), tea.WithoutSignalHandler())
	done := make(chan error, 1)
	go func() { _, err := p.Run(); done <- err }()
	p.Send(tea.WindowSizeMsg{Width: 100, Height: 30})
	// Frames keep coming (a toast, reloads) while the bell rings.
	for i := range 20 {
		p.Send(EventMsg{Kind: EventChanged})
		if i == 10 {
			p.Send(EventMsg{Kind: EventPrebookingFinished, BoxID: testBox.ID, Day: testWeek, PrebookingID: 1,
				Status: session.PrebookBooked, Class: "WOD", ClassStart: testNow})
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(rec.String(), "\a") && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	p.Quit()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	bells, broken := bellsOutsideSequences(rec.String())
	if bells != 1 || broken {
		t.Errorf("%d bells in the plain output (want 1); one inside a control sequence: %v", bells, broken)
	}
	if n := rec.overlaps.Load(); n != 0 {
		t.Errorf("%d writes overlapped", n)
	}
}
