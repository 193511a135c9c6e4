package tui

import (
	"io"
	"os"
	"sync"

	tea "github.com/charmbracelet/bubbletea"
)

// The terminal bell on prebooking outcomes.
//
// Bubble Tea v1 has no bell command, and its ways of printing outside the
// view (tea.Println/Printf) do nothing under the alternate screen. A BEL
// put into View would ring again whenever the renderer repaints that line
// and may be lost when two frames fall within one tick. So the bell is a
// separate write of "\a" to the program's own output, from a tea.Cmd.
//
// That write is safe because it can only land between two complete writes
// of the renderer: Bubble Tea writes each frame, and each control sequence,
// with one Write call (its own SetWindowTitle also writes from another
// goroutine than the frames), an *os.File serialises concurrent Write
// calls, and for any other writer BellOutput adds a mutex. BEL moves no
// cursor and changes no attribute, so between two writes it leaves the
// screen exactly as it was.

// BellOutput returns the writer to give the program as its output and the
// bell to put in Config.Bell. An *os.File (the terminal) is returned as it
// is, so Bubble Tea still sees a terminal and learns its size; any other
// writer (an SSH channel, which may split a large write into packets) is
// wrapped so that the bell and the renderer's writes take turns.
func BellOutput(w io.Writer) (io.Writer, func()) {
	if f, ok := w.(*os.File); ok {
		return f, func() { _, _ = f.Write([]byte{'\a'}) }
	}
	lw := &lockedWriter{w: w}
	return lw, func() { _, _ = lw.Write([]byte{'\a'}) }
}

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// ringBell rings Config.Bell off the update loop; nil without a bell.
func (m *Model) ringBell() tea.Cmd {
	bell := m.cfg.Bell
	if bell == nil {
		return nil
	}
	return func() tea.Msg {
		bell()
		return nil
	}
}
