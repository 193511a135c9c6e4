package aimhardertest

import (
	"time"

	"github.com/ahtui/ahtui/aimharder"
)

// Demo account, printed by `ahtui sim` and used by `ahtui --demo`.
const (
	DemoEmail    = "demo@ahtui.test"
	DemoPassword = "demo-pass-2026"
	// DemoFamilyID is the demo holder's family member (familyId).
	DemoFamilyID = "4243"
)

// Demo box subdomains.
const (
	DemoBoxMadrid    = "demo-madrid"    // sliding 4 days, shares attendee lists
	DemoBoxCanarias  = "demo-canarias"  // Atlantic/Canary, sliding 48 hours
	DemoBoxBarcelona = "demo-barcelona" // fixed 12:00 two days before; the demo user also coaches here
)

// DemoWorld is the demo seed: three boxes with different rules (one on
// Canary time, one sharing attendee lists), a demo user with a family
// member, weekly templates of 6–9 classes on weekdays and fewer at
// weekends (some filling within seconds of opening, with waitlists), and a
// few extra classes whose windows open 2, 5 and 10 minutes after now
// (rounded down to the minute), so a prebooking can be watched live; some
// of those have competitors who fill them seconds after opening.
func DemoWorld(now time.Time, seed int64) World {
	weekdays := []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}
	tmpl := func(start string, minutes int, name, desc string, days ...time.Weekday) ClassTemplate {
		if len(days) == 0 {
			days = weekdays
		}
		return ClassTemplate{Weekdays: days, Start: start, Minutes: minutes, Name: name, Description: desc, Random: true}
	}
	madrid := BoxConfig{
		ID: 10122, Sub: DemoBoxMadrid, Name: "CrossFit Demo Madrid ", Address: "Calle del Ejemplo 12, 28012 Madrid",
		Timezone: "Europe/Madrid", Window: WindowRule{Kind: RuleSlidingDays, Days: 4},
		MinNotice: 15 * time.Minute, LateCancel: 90 * time.Minute, MaxPerDay: 2,
		ShareAttendees: true, WaitlistCapacity: 5,
		Coaches: []string{"Carlos Ruiz", "Lucía Gómez", "Pablo Serrano", "Irene Vidal"},
		Template: []ClassTemplate{
			tmpl("07:00", 60, "WOD", "Calentamiento, fuerza y metcon"),
			tmpl("08:00", 60, "WOD", "Calentamiento, fuerza y metcon"),
			tmpl("09:30", 90, "OPEN BOX", "Entrenamiento libre"),
			tmpl("13:30", 60, "BARBELL WOD", "Halterofilia"),
			tmpl("17:00", 60, "TEAM WOD", "Por parejas"),
			tmpl("18:00", 60, "WOD", "Calentamiento, fuerza y metcon"),
			tmpl("19:00", 60, "WOD", "Calentamiento, fuerza y metcon"),
			tmpl("20:15", 60, "CONDITIONING", "Motor"),
			tmpl("10:00", 60, "TEAM WOD", "Sábado por equipos", time.Saturday),
			tmpl("11:30", 90, "OPEN BOX", "Entrenamiento libre", time.Saturday),
			tmpl("10:30", 90, "OPEN BOX", "Domingo libre", time.Sunday),
		},
	}
	canarias := BoxConfig{
		ID: 20455, Sub: DemoBoxCanarias, Name: "Demo Box Las Palmas", Address: "Avenida Marítima 3, 35003 Las Palmas de Gran Canaria",
		Timezone: "Atlantic/Canary", Window: WindowRule{Kind: RuleSlidingHours, Hours: 48},
		MinNotice: time.Hour, LateCancel: 2 * time.Hour, WaitlistCapacity: 3,
		Coaches: []string{"Yeray Suárez", "Nayra Castro"},
		Template: []ClassTemplate{
			tmpl("07:30", 60, "WOD", "Metcon"),
			tmpl("09:00", 60, "HYROX", "Carrera y estaciones"),
			tmpl("12:00", 60, "WOD", "Metcon"),
			tmpl("18:00", 60, "WOD", "Metcon"),
			tmpl("19:00", 60, "GYMNASTICS", "Habilidades"),
			tmpl("20:00", 60, "WOD", "Metcon"),
			tmpl("10:00", 90, "OPEN BOX", "Libre", time.Saturday),
		},
	}
	barcelona := BoxConfig{
		ID: 30871, Sub: DemoBoxBarcelona, Name: "Funcional Demo BCN", Address: "Carrer de la Prova 7, 08012 Barcelona",
		Timezone: "Europe/Madrid", Window: WindowRule{Kind: RuleFixedHour, Days: 2, Hour: 12},
		MinNotice: 30 * time.Minute, LateCancel: 60 * time.Minute, MaxPerDay: 1, WaitlistCapacity: 4,
		Coaches: []string{"Jordi Puig", "Laia Ferrer", "Marc Soler"},
		Template: []ClassTemplate{
			tmpl("07:00", 60, "WOD", "Metcon"),
			tmpl("08:00", 60, "WEIGHTLIFTING", "Arrancada i dos temps"),
			tmpl("13:00", 60, "WOD", "Metcon"),
			tmpl("18:30", 60, "WOD", "Metcon"),
			tmpl("19:30", 60, "MOBILITY", "Mobilitat"),
			tmpl("20:30", 60, "WOD", "Metcon"),
			tmpl("10:00", 60, "WOD", "Dissabte", time.Saturday),
		},
	}

	// Classes whose windows open in the next minutes, each placed where
	// its box's rule opens it: the same wall time 4 days later on the
	// 4-day box, 48 elapsed hours later on the 48-hour one.
	opening := func(k int) time.Time { return now.Add(time.Duration(k) * time.Minute).Truncate(time.Minute) }
	addExtra := func(b *BoxConfig, opens time.Time, name string, rush int) {
		start, ok := demoStartOpeningAt(*b, opens)
		if !ok {
			return // e.g. the opening falls in a DST change: the demo does without it
		}
		minutes := min(60, 24*60-(start.Hour()*60+start.Minute()))
		if minutes < 30 {
			return // too close to midnight for a class; the demo does without it
		}
		e := ExtraClass{Date: aimharder.DateOf(start), ClassTemplate: ClassTemplate{
			Start: start.Format("15:04"), Minutes: minutes, Name: name, Description: "Clase especial de la demo",
			Capacity: 10, Coach: b.Coaches[0], Rush: rush, RushDelay: 2 * time.Second, RushSpread: 6 * time.Second,
		}}
		probe := *b
		probe.Extra = []ExtraClass{e}
		if _, err := compileBox(0, probe); err != nil {
			return // e.g. the DST change hour: skip rather than make an invalid seed
		}
		b.Extra = append(b.Extra, e)
	}
	addExtra(&madrid, opening(2), "SPECIAL WOD", 12)
	addExtra(&canarias, opening(5), "HYROX", 13)
	addExtra(&madrid, opening(10), "GYMNASTICS", 0)

	allBoxes := []RoleConfig{{Box: DemoBoxMadrid}, {Box: DemoBoxCanarias}, {Box: DemoBoxBarcelona}, {Box: DemoBoxBarcelona, Role: "coach"}}
	return World{
		Seed:  seed,
		Boxes: []BoxConfig{madrid, canarias, barcelona},
		Users: []UserConfig{
			{
				ID: 4242, Email: DemoEmail, Password: DemoPassword, Name: "Ana Pérez",
				Photo: "https://aimharder.com/images/users/4242.jpg", Language: "es", Roles: allBoxes,
				Credits: new(40),
				Family:  []MemberConfig{{ID: 4243, Name: "Leo Pérez", Credits: new(8)}},
			},
			{ID: 4250, Email: "marc@ahtui.test", Password: DemoPassword, Name: "Marc Soler", Language: "ca",
				Roles: []RoleConfig{{Box: DemoBoxBarcelona}, {Box: DemoBoxMadrid}}},
			{ID: 4251, Email: "jane@ahtui.test", Password: DemoPassword, Name: "Jane Doe", Language: "en",
				Roles: []RoleConfig{{Box: DemoBoxCanarias}}, Plan: []string{"WOD", "HYROX"}, Quota: 3},
		},
	}
}

// demoStartOpeningAt returns, in the box's zone, the start of a class of
// box b whose booking window opens at opens, for a sliding rule (a
// fixed-hour rule opens a whole day at once: no single start). ok is false
// when there is none, or when the client's reading of the rule
// (aimharder.Rule, the one the demo's ahtui learns) would put the opening
// elsewhere: the demo promises a class opening at that minute in the TUI,
// not only on the fake server.
func demoStartOpeningAt(b BoxConfig, opens time.Time) (time.Time, bool) {
	loc := mustLoad(b.Timezone)
	opens = opens.In(loc)
	var start time.Time
	switch w := b.Window; {
	case w.Kind == RuleSlidingDays:
		start = opens.AddDate(0, 0, w.Days)
	case w.Kind == RuleSlidingHours && !w.WallClockHours:
		start = opens.Add(time.Duration(w.Hours) * time.Hour)
	default:
		return time.Time{}, false
	}
	client, err := aimharder.ParseRule(b.Window.String())
	if err != nil || !client.OpeningIn(loc, start).Equal(opens) || !b.Window.OpensAt(start).Equal(opens) {
		return time.Time{}, false
	}
	return start, true
}

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err) // only called with the demo's own zone names (tzdata is embedded)
	}
	return loc
}
