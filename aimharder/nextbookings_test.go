package aimharder

import (
	"context"
	"errors"
	"reflect"
	"testing"
)

func TestNextBookings(t *testing.T) {
	f := newFake(t)
	f.handle("GET /b/sample-gym/api/nextBookings", replyFunc(`{"nextClasses":[
	  {"id":"555000111","day":"Martes, 27 de Octubre de 2026","time":"07:00 - 08:00","className":" OPEN BOX ","bookState":1,"boxName":"x"},
	  {"id":555000112,"day":"Miércoles, 28 de Octubre de 2026","time":"18:00-19:00","className":"WOD","bookState":"0"}],
	 "history":[{"id":1,"day":"Sábado, 26 de Septiembre de 2026","time":"09:00 - 10:00","className":"WOD","bookState":1,"assist":"1","lateCancel":0},
	  {"id":2,"day":"???","time":"09:00 - 10:00","className":"WOD","bookState":null,"assist":0,"lateCancel":true}]}`))
	next, _, err := f.client().NextBookings(context.Background(), testCreds(), testBox(t), "42")
	if err != nil {
		t.Fatal(err)
	}
	want := NextBookings{
		Upcoming: []Reservation{
			{ID: 555000111, Date: Date{2026, 10, 27}, DayLabel: "Martes, 27 de Octubre de 2026", Time: "07:00 - 08:00", ClassName: "OPEN BOX", State: StateBooked},
			{ID: 555000112, Date: Date{2026, 10, 28}, DayLabel: "Miércoles, 28 de Octubre de 2026", Time: "18:00-19:00", ClassName: "WOD", State: StateWaitlisted},
		},
		History: []Reservation{
			{ID: 1, Date: Date{2026, 9, 26}, DayLabel: "Sábado, 26 de Septiembre de 2026", Time: "09:00 - 10:00", ClassName: "WOD", State: StateBooked, Attended: true},
			{ID: 2, DayLabel: "???", Time: "09:00 - 10:00", ClassName: "WOD", LateCancel: true},
		},
	}
	if !reflect.DeepEqual(next, want) {
		t.Errorf("got  %+v\nwant %+v", next, want)
	}
	if q := f.only("/b/sample-gym/api/nextBookings").RawQuery; q != "box=10122&familyId=42" {
		t.Errorf("query = %q", q)
	}
}

func TestNextBookingsAnswers(t *testing.T) {
	for body, want := range map[string]error{
		`{"nextClasses":[],"history":[]}`: nil,
		`{"nextClasses":[]}`:              nil,
		loginPage:                         ErrUnexpectedAnswer,
		`{"logout":1}`:                    ErrLoggedOut,
		`{"history":[]}`:                  ErrProtocol,
		`{"nextClasses":"none"}`:          ErrProtocol,
		`{"nextClasses":[{"id":{}}]}`:     ErrProtocol,
	} {
		f := newFake(t)
		f.handle("GET /b/sample-gym/api/nextBookings", replyFunc(body))
		next, _, err := f.client().NextBookings(context.Background(), testCreds(), testBox(t), "")
		if want == nil {
			if err != nil || next.Upcoming == nil || next.History == nil {
				t.Errorf("%s: %+v %v", body, next, err)
			}
			continue
		}
		if !errors.Is(err, want) {
			t.Errorf("%s: err = %v, want %v", body, err, want)
		}
	}
}

func TestParseDayLabel(t *testing.T) {
	for label, want := range map[string]Date{
		"Sábado, 26 de Septiembre de 2026": {2026, 9, 26},
		"sábado, 3 de octubre de 2026":     {2026, 10, 3},
		"Dissabte, 26 de setembre de 2026": {2026, 9, 26},
		"Dimarts, 3 d'octubre de 2026":     {2026, 10, 3},
		"Saturday, September 26, 2026":     {2026, 9, 26},
		"Saturday, 26 September 2026":      {2026, 9, 26},
		"2026-09-26":                       {2026, 9, 26},
		"20260926":                         {2026, 9, 26},
		"Lunes, 31 de Febrero de 2026":     {},
		"":                                 {},
		"mañana":                           {},
	} {
		if got := parseDayLabel(label); got != want {
			t.Errorf("parseDayLabel(%q) = %v, want %v", label, got, want)
		}
	}
}
