package aimhardertest

import (
	"fmt"
)

// RenameClass gives a class another name from now on, as a box that
// renames a session in its schedule does (its id, time and places stay).
func (s *Server) RenameClass(boxSub string, id int64, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	cl, err := s.editable(boxSub, id)
	if err != nil {
		return err
	}
	cl.name = name
	return nil
}

// MoveClass moves a class to another start the same day (its id and
// places stay; its window opens by the box's rule from the new start).
func (s *Server) MoveClass(boxSub string, id int64, hour, minute int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	cl, err := s.editable(boxSub, id)
	if err != nil {
		return err
	}
	length := cl.end.Sub(cl.start)
	cl.start = cl.date.At(hour, minute, cl.box.loc)
	cl.end = cl.start.Add(length)
	cl.opens = cl.box.cfg.Window.OpensAt(cl.start)
	return nil
}

func (s *Server) editable(boxSub string, id int64) (*class, error) {
	b := s.w.boxBySub[boxSub]
	if b == nil {
		return nil, fmt.Errorf("unknown box %q", boxSub)
	}
	cl := s.findClass(b, id, "")
	if cl == nil {
		return nil, fmt.Errorf("box %s has no class %d", boxSub, id)
	}
	return cl, nil
}
