package aimhardertest

import (
	"bytes"
	"runtime"
	"strconv"
	"strings"
)

// goroutineID is the calling goroutine's id, as runtime tracebacks print
// it ("goroutine 7 [running]:"); 0 when it cannot be read.
func goroutineID() uint64 {
	var buf [64]byte
	b := buf[:runtime.Stack(buf[:], false)]
	b, ok := bytes.CutPrefix(b, []byte("goroutine "))
	if !ok {
		return 0
	}
	if i := bytes.IndexByte(b, ' '); i > 0 {
		b = b[:i]
	}
	id, err := strconv.ParseUint(string(b), 10, 64)
	if err != nil {
		return 0
	}
	return id
}

// goroutineState is one goroutine of a traceback of all of them.
type goroutineState struct {
	working bool   // running, runnable or preempted
	parent  uint64 // the goroutine that started it; 0 when not known
}

// busyGoroutines returns which of the goroutines in of are working (see
// AutoAdvance): working themselves, or with a working descendant. The
// caller (the driver) is left out.
func busyGoroutines[V any](of map[uint64]V) map[uint64]bool {
	all := goroutineStates()
	delete(all, goroutineID())
	busy := map[uint64]bool{}
	for id, g := range all {
		if !g.working {
			continue
		}
		// Up the chain of parents (bounded: a parent id may be reused).
		for n, cur := 0, id; cur != 0 && n < 64; n++ {
			if _, ok := of[cur]; ok {
				busy[cur] = true
			}
			p, ok := all[cur]
			if !ok {
				break
			}
			cur = p.parent
		}
	}
	return busy
}

// goroutineStates reads every goroutine's state from a traceback of all
// of them. The format is the runtime's: a header "goroutine N [state]:",
// or "[state, 3 minutes]:", then frames, the last being "created by F in
// goroutine P".
func goroutineStates() map[uint64]goroutineState {
	buf := make([]byte, 1<<16)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	states := map[uint64]goroutineState{}
	for block := range strings.SplitSeq(string(buf), "\n\n") {
		header, rest, _ := strings.Cut(block, "\n")
		idText, state, ok := strings.Cut(strings.TrimPrefix(header, "goroutine "), " [")
		if !ok || !strings.HasPrefix(header, "goroutine ") {
			continue
		}
		id, err := strconv.ParseUint(idText, 10, 64)
		if err != nil {
			continue
		}
		state, _, _ = strings.Cut(strings.TrimSuffix(state, "]:"), ",")
		g := goroutineState{working: workingState(state, rest)}
		if i := strings.LastIndex(rest, " in goroutine "); i >= 0 && strings.Contains(rest, "created by ") {
			p := rest[i+len(" in goroutine "):]
			if j := strings.IndexByte(p, '\n'); j >= 0 {
				p = p[:j]
			}
			g.parent, _ = strconv.ParseUint(strings.TrimSpace(p), 10, 64)
		}
		states[id] = g
	}
	return states
}

// workingState reports whether a goroutine in state (as a traceback names
// it: "running", "select", "chan receive", …), with the given frames, is
// working rather than parked.
func workingState(state, frames string) bool {
	switch strings.TrimSpace(state) {
	case "running", "runnable", "preempted", "copystack":
		return true
	case "syscall":
		// In the kernel: a database's read, write or fsync is work; a
		// wait for a child process to end (a notify command that hangs)
		// is not.
		return !strings.Contains(frames, "os.(*Process).") && !strings.Contains(frames, "syscall.wait4")
	case "sync.Mutex.Lock", "sync.RWMutex.Lock", "sync.RWMutex.RLock", "semacquire":
		// Waiting for a lock another goroutine holds for a moment (the
		// store's connection, a cache): work still under way, though the
		// holder may not descend from the woken goroutine.
		return true
	}
	// "running, locked to thread" and the like were cut at the comma.
	return false
}
