package tui

import (
	"github.com/charmbracelet/bubbles/key"

	"github.com/ahtui/ahtui/tui/grid"
	"github.com/ahtui/ahtui/tui/i18n"
)

// KeyMap is the application's keys; components keep their own (movement,
// scrolling, form editing).
type KeyMap struct {
	PrevWeek, NextWeek, Today, NextOpening key.Binding
	Detail, Back                           key.Binding
	Book, Cancel, Prebook, Refresh         key.Binding
	Prebookings, History, Boxes            key.Binding
	Help, Quit, ForceQuit                  key.Binding
	Status                                 key.Binding
	Remove, Open                           key.Binding
	EveryWeek, Plans                       key.Binding
	Skip, Pause, Resume                    key.Binding
	Edit, PauseAll, ResumeAll              key.Binding // the plans view
	Agenda                                 key.Binding // my classes (agenda.go)
	Watch                                  key.Binding // watch a full class (watch.go)
	Layout                                 key.Binding // v: the week or one day (dayview.go)
}

// DefaultKeyMap is the suggested keys.
func DefaultKeyMap(tx *i18n.Text) KeyMap {
	h := tx.Help
	b := func(help string, keys ...string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(keys[0], help))
	}
	k := KeyMap{
		PrevWeek:    b(h.PrevWeek, "["),
		NextWeek:    b(h.NextWeek, "]"),
		Today:       b(h.Today, "t"),
		NextOpening: b(h.NextOpening, "o"),
		Detail:      b(h.Detail, "enter"),
		Back:        b(h.Back, "esc"),
		Book:        b(h.Book, "b"),
		Cancel:      b(h.Cancel, "c"),
		Prebook:     b(h.Prebook, "p"),
		Refresh:     b(h.Refresh, "r", "ctrl+r"),
		Prebookings: b(h.Prebookings, "P"),
		History:     b(h.History, "H"),
		Boxes:       b(h.Boxes, "B"),
		Help:        b(h.Help, "?"),
		Status:      b(h.Status, "S"),
		Quit:        b(h.Quit, "q"),
		ForceQuit:   b(h.ForceQuit, "ctrl+c"),
		Remove:      b(h.Remove, "x", "delete", "d"),
		Open:        b(h.Open, "enter"),
		EveryWeek:   b(h.EveryWeek, "w"),
		Plans:       b(h.Plans, "W"),
		Skip:        b(h.Skip, "s", " "),
		Pause:       b(h.Pause, "p"),
		Resume:      b(h.Resume, "u"),
		Edit:        b(tx.PlanForm().Edit, "e"),
		PauseAll:    b(tx.PlanForm().PauseAll, "a"),
		ResumeAll:   b(tx.PlanForm().ResumeAll, "U"),
		Agenda:      b(tx.Agenda().Key, "A"),
		Watch:       b(tx.Watch().Key, "a"),
		Layout:      b(h.Layout, "v"),
	}
	return k
}

// fullHelp groups every key for the help overlay.
func (k KeyMap) fullHelp(g grid.KeyMap) [][]key.Binding {
	return [][]key.Binding{
		{g.Up, g.Down, g.Left, g.Right, g.First, g.Last, k.PrevWeek, k.NextWeek, k.Today, k.NextOpening, k.Layout},
		{k.Detail, k.Book, k.Cancel, k.Prebook, k.Watch, k.EveryWeek},
		{k.Agenda, k.Prebookings, k.Plans, k.History, k.Boxes, k.Status, k.Refresh, k.Back},
		{k.Help, k.Quit, k.ForceQuit},
	}
}
