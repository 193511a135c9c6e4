package session

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
)

// SettingFamilyMembers holds the account's family members by name: AimHarder
// takes a familyId on every box call but no endpoint lists the members
// (docs/protocol.md §10, family members), so the member names them once (`ahtui family
// add NAME ID`) and chooses by name afterwards.
const SettingFamilyMembers = "family_members"

// FamilyMember is a person the account books for besides its holder.
type FamilyMember struct {
	Name string `json:"name"`
	ID   string `json:"id"` // AimHarder's familyId
}

// Holder is the account holder: the empty familyId.
var Holder = FamilyMember{}

// UnknownFamilyError is a family member named or numbered that the account
// does not have.
type UnknownFamilyError struct {
	Given string
	Known []FamilyMember
}

func (e *UnknownFamilyError) Error() string {
	if len(e.Known) == 0 {
		return fmt.Sprintf("no family member %q: none is known yet", e.Given)
	}
	names := make([]string, len(e.Known))
	for i, f := range e.Known {
		names[i] = f.Name + " (" + f.ID + ")"
	}
	return fmt.Sprintf("no family member %q: the known ones are %s", e.Given, strings.Join(names, ", "))
}

func (e *UnknownFamilyError) Unwrap() error { return ErrInvalid }

// validFamilyID reports whether v looks like a familyId: digits only.
func validFamilyID(v string) bool {
	if v == "" || len(v) > 18 {
		return false
	}
	for _, r := range v {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func parseFamily(v string) ([]FamilyMember, error) {
	if strings.TrimSpace(v) == "" {
		return nil, nil
	}
	var list []FamilyMember
	if err := json.Unmarshal([]byte(v), &list); err != nil {
		return nil, fmt.Errorf("%w: %s is not a list of family members: %v", ErrInvalid, SettingFamilyMembers, err)
	}
	for _, f := range list {
		if strings.TrimSpace(f.Name) == "" || !validFamilyID(f.ID) {
			return nil, fmt.Errorf("%w: family member %q with id %q", ErrInvalid, f.Name, f.ID)
		}
	}
	return list, nil
}

// FamilyMembers returns the account's named family members, in the order
// they were added.
func (s *Store) FamilyMembers(ctx context.Context) ([]FamilyMember, error) {
	v, _, err := s.Setting(ctx, SettingFamilyMembers)
	if err != nil {
		return nil, err
	}
	return parseFamily(v)
}

// AddFamilyMember names a family member (id is AimHarder's familyId); a
// name already known takes the new id.
func (s *Store) AddFamilyMember(ctx context.Context, name, id string) (FamilyMember, error) {
	name, id = strings.TrimSpace(name), strings.TrimSpace(id)
	switch {
	case name == "":
		return FamilyMember{}, fmt.Errorf("%w: a family member needs a name", ErrInvalid)
	case validFamilyID(name):
		return FamilyMember{}, fmt.Errorf("%w: a family member's name cannot be a number (%q)", ErrInvalid, name)
	case !validFamilyID(id):
		return FamilyMember{}, fmt.Errorf("%w: %q is not a family member id (AimHarder's familyId is a number)", ErrInvalid, id)
	}
	list, err := s.FamilyMembers(ctx)
	if err != nil {
		return FamilyMember{}, err
	}
	f := FamilyMember{Name: name, ID: id}
	for _, other := range list {
		if other.ID == id && !strings.EqualFold(other.Name, name) {
			// Two names for one person would book them under either.
			return FamilyMember{}, fmt.Errorf("%w: %s already has id %s", ErrInvalid, other.Name, id)
		}
	}
	replaced := false
	for i := range list {
		if strings.EqualFold(list[i].Name, name) {
			list[i], replaced = f, true
		}
	}
	if !replaced {
		list = append(list, f)
	}
	return f, s.saveFamily(ctx, list)
}

// RemoveFamilyMember forgets a family member, by name or id.
func (s *Store) RemoveFamilyMember(ctx context.Context, nameOrID string) (FamilyMember, error) {
	f, err := s.ResolveFamily(ctx, nameOrID)
	if err != nil {
		return FamilyMember{}, err
	}
	list, err := s.FamilyMembers(ctx)
	if err != nil {
		return FamilyMember{}, err
	}
	kept := list[:0]
	for _, g := range list {
		if g.ID != f.ID {
			kept = append(kept, g)
		}
	}
	return f, s.saveFamily(ctx, kept)
}

func (s *Store) saveFamily(ctx context.Context, list []FamilyMember) error {
	body, err := json.Marshal(list)
	if err != nil {
		return err
	}
	return s.SetSetting(ctx, SettingFamilyMembers, string(body))
}

// ResolveFamily finds a family member by name (any case) or id: "" is the
// account holder. A number no named member has is taken as given only
// while no member is named (ids set before names existed); otherwise, and
// for any unknown name, an *UnknownFamilyError lists the known ones.
func (s *Store) ResolveFamily(ctx context.Context, v string) (FamilyMember, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return Holder, nil
	}
	list, err := s.FamilyMembers(ctx)
	if err != nil {
		return FamilyMember{}, err
	}
	for _, f := range list {
		if f.ID == v || strings.EqualFold(f.Name, v) {
			return f, nil
		}
	}
	if len(list) == 0 && validFamilyID(v) {
		return FamilyMember{ID: v}, nil
	}
	return FamilyMember{}, &UnknownFamilyError{Given: v, Known: list}
}

// FamilyName is the name of the family member with that id ("" for the
// holder or an id with no name).
func FamilyName(list []FamilyMember, id string) string {
	for _, f := range list {
		if f.ID == id {
			return f.Name
		}
	}
	return ""
}
