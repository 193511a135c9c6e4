package aimhardertest

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // box time zones must resolve on machines without a zoneinfo database

	"github.com/ahtui/ahtui/aimharder"
)

// World is the seed of a fake AimHarder: its boxes, members and the pool of
// other athletes who fill classes (docs/protocol.md §11.1). The same World always
// yields the same ids, classes and attendee lists.
type World struct {
	Seed     int64
	Boxes    []BoxConfig
	Users    []UserConfig
	Athletes []string // other members' names; nil → DefaultAthletes
}

// BoxConfig describes one box and its rules.
type BoxConfig struct {
	ID       int64  // boid: the numeric box id of every box call
	Sub      string // subdomain: <Sub>.aimharder.com, /b/<Sub> in single-host mode
	Name     string // gym / boxName; padding is kept on purpose (the wire pads names)
	Address  string // boxDir
	Pic      string // boxPic; "" → null
	Timezone string // IANA name; "" → Europe/Madrid (docs/protocol.md §4.3)
	// Domain is the AimHarder deployment the box is on: "" → aimharder.com;
	// "aimharder.es" makes roles name <Sub>.aimharder.es and, in Host-routed
	// mode, serves the box only there (with login.aimharder.es and
	// aimharder.es as login and portal hosts). Opt-in (docs/protocol.md §1).
	Domain string

	Window           WindowRule
	MinNotice        time.Duration // booking closes this long before the start (−7)
	LateCancel       time.Duration // a cancel this close to the start forfeits the credit (cancelState 2)
	MaxPerDay        int           // reservations per person and day (−8); 0 = no limit
	ShareAttendees   bool          // rows carry the invented `athletes` list (docs/protocol.md §6)
	WaitlistCapacity int           // 0 = no waitlist
	// HideUntilOpen: a class is left out of the day's listing until its
	// booking window opens, and the book endpoint answers it as an unknown
	// class until then. Some boxes do this (docs/protocol.md §10B). Opt-in.
	HideUntilOpen bool

	Coaches  []string        // pool for random templates without a coach
	Template []ClassTemplate // weekly template
	Extra    []ExtraClass    // one-off classes on given dates
}

// ClassTemplate is one recurring class of a box's weekly template.
type ClassTemplate struct {
	Weekdays     []time.Weekday // nil = every day
	Start        string         // local "HH:MM"
	Minutes      int            // length; 0 → 60
	TypeID       int64          // classId; 0 → derived from Name
	Name         string         // className (the class type; plans list these names)
	Description  string
	Color        string // "R, G, B"; "" → derived from Name
	Coach        string // "" → from the box's Coaches when Random, else null
	Capacity     int    // limitc; 0 → chosen by the seed
	StaffManaged bool   // resadmin 1

	// Pool athletes holding places (Booked) and waiting (Waiting) from the
	// start, whatever the clock says.
	Booked, Waiting int
	// Rush competitors: athlete i books at opening + RushDelay + i×RushSpread/Rush,
	// evaluated lazily against the clock (they fill a class seconds after
	// its window opens). Those who find it full join the waitlist if there is room.
	Rush                  int
	RushDelay, RushSpread time.Duration
	// Random lets the seed pick Booked, Rush, coach and capacity per date,
	// giving a realistic mix of quiet classes and full ones with waitlists.
	Random bool
}

// ExtraClass is a one-off class on a given date (Weekdays is ignored).
type ExtraClass struct {
	Date aimharder.Date
	ClassTemplate
}

// UserConfig describes an account that can log in.
type UserConfig struct {
	ID       int64
	Email    string
	Password string
	Name     string
	Photo    string // "" → null
	Language string // "es" (default), "ca" or "en": the language of errorMssg (docs/protocol.md §7.3)
	Roles    []RoleConfig

	Plan           []string // class type names the plan covers; nil = every type
	Credits        *int     // remaining session credits; nil = unlimited
	Quota          int      // booked classes per week (Mon–Sun); 0 = no quota
	PaymentPending bool
	Family         []MemberConfig
}

// RoleConfig is one entry of the user's roles: a role in a box.
type RoleConfig struct {
	Box  string // box Sub
	Role string // "client" (default), "coach", "admin"…
}

// MemberConfig is a family member the holder books for with familyId.
type MemberConfig struct {
	ID             int64 // the familyId value
	Name           string
	Photo          string
	Plan           []string
	Credits        *int
	Quota          int
	PaymentPending bool
}

// DefaultAthletes is the pool of other members used when World.Athletes is nil.
var DefaultAthletes = []string{
	"Ana P.", "Marc G.", "Laura S.", "Javier R.", "Lucía M.", "Pau F.", "Marta L.", "Sergio V.",
	"Elena C.", "David H.", "Nuria B.", "Álvaro T.", "Carmen D.", "Jordi P.", "Irene N.", "Raúl O.",
	"Sara E.", "Iker A.", "Paula J.", "Adrián Q.", "Cristina K.", "Hugo Z.", "Alba Y.", "Daniel X.",
	"Noelia W.", "Óscar I.", "Rocío U.", "Víctor Ñ.", "Marina G.", "Rubén C.", "Aitana L.", "Jaume M.",
	"Beatriz F.", "Gonzalo S.", "Silvia R.", "Xavier T.", "Claudia P.", "Mateo B.", "Judith V.", "Yeray D.",
}

const (
	maxBoxes       = 16 // session ids encode the box in 4 bits
	maxSlotsPerDay = 64 // and the slot in 6 bits
	defaultTZ      = "Europe/Madrid"
)

var subPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)

// Validate reports what makes the world unusable: duplicate ids, unknown
// references, bad rules, and classes placed in (or whose booking window
// opens in) the missing or repeated hour of a DST change day (docs/protocol.md §9.1).
func (w World) Validate() error {
	_, err := compileWorld(w)
	return err
}

// compiled is the immutable part of a world, resolved once.
type compiled struct {
	world    World
	boxes    []*box
	boxBySub map[string]*box
	boxByID  map[int64]*box
	users    []*user
	byEmail  map[string]*user
	athletes []athlete
}

type athlete struct {
	idx  int
	id   int64
	name string
	pic  string // "" → null
}

func compileWorld(w World) (*compiled, error) {
	c := &compiled{world: w, boxBySub: map[string]*box{}, boxByID: map[int64]*box{}, byEmail: map[string]*user{}}
	var errs []error
	if len(w.Boxes) == 0 {
		errs = append(errs, errors.New("world has no boxes"))
	}
	if len(w.Boxes) > maxBoxes {
		errs = append(errs, fmt.Errorf("at most %d boxes", maxBoxes))
	}
	for i, bc := range w.Boxes {
		b, err := compileBox(i, bc)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if _, dup := c.boxBySub[b.cfg.Sub]; dup {
			errs = append(errs, fmt.Errorf("box %q: duplicate subdomain", b.cfg.Sub))
		}
		if _, dup := c.boxByID[b.cfg.ID]; dup {
			errs = append(errs, fmt.Errorf("box %q: duplicate id %d", b.cfg.Sub, b.cfg.ID))
		}
		c.boxes = append(c.boxes, b)
		c.boxBySub[b.cfg.Sub] = b
		c.boxByID[b.cfg.ID] = b
	}
	personIDs := map[int64]bool{}
	for _, uc := range w.Users {
		u, err := compileUser(uc, c.boxBySub, personIDs)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if _, dup := c.byEmail[u.email]; dup {
			errs = append(errs, fmt.Errorf("user %q: duplicate e-mail", uc.Email))
		}
		c.users = append(c.users, u)
		c.byEmail[u.email] = u
	}
	names := w.Athletes
	if names == nil {
		names = DefaultAthletes
	}
	for i, n := range names {
		a := athlete{idx: i, id: athleteIDBase + int64(i)*37 + 11, name: n}
		if i%4 != 0 { // some athletes have no picture: pic is null (docs/protocol.md §6)
			a.pic = fmt.Sprintf("https://aimharder.com/images/users/%d.jpg", a.id)
		}
		c.athletes = append(c.athletes, a)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return c, nil
}

func compileBox(idx int, bc BoxConfig) (*box, error) {
	name := bc.Sub
	if name == "" {
		name = fmt.Sprint("#", idx)
	}
	fail := func(format string, args ...any) (*box, error) {
		return nil, fmt.Errorf("box %s: %s", name, fmt.Sprintf(format, args...))
	}
	if !subPattern.MatchString(bc.Sub) || bc.Sub == "www" || bc.Sub == "login" {
		return fail("subdomain must be lowercase letters, digits and hyphens (not www or login)")
	}
	if bc.ID <= 0 {
		return fail("id (boid) must be positive")
	}
	tz := bc.Timezone
	if tz == "" {
		tz = defaultTZ
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return fail("time zone: %v", err)
	}
	if err := bc.Window.validate(); err != nil {
		return fail("window: %v", err)
	}
	if bc.Window.Kind == RuleFixedHour {
		if bad := fixedOpeningInChange(loc, bc.Window); bad != "" {
			return fail("window opens at %02d:%02d, which is missing or repeated on %s", bc.Window.Hour, bc.Window.Minute, bad)
		}
	}
	if bc.MinNotice < 0 || bc.LateCancel < 0 || bc.MaxPerDay < 0 || bc.WaitlistCapacity < 0 {
		return fail("negative limits")
	}
	b := &box{idx: idx, cfg: bc, loc: loc}
	for i, t := range bc.Template {
		st, err := compileTemplate(t)
		if err != nil {
			return fail("template %d: %v", i, err)
		}
		b.template = append(b.template, st)
	}
	for i, e := range bc.Extra {
		if e.Date.Year < 2000 || e.Date.Year > 2100 {
			return fail("extra class %d: date %s outside 2000–2100", i, e.Date)
		}
		st, err := compileTemplate(e.ClassTemplate)
		if err != nil {
			return fail("extra class %d: %v", i, err)
		}
		st.date = e.Date
		st.extra = true
		b.extras = append(b.extras, st)
	}
	if bad := b.classInChange(); bad != "" {
		return fail("%s", bad)
	}
	if bad := b.openingInChange(); bad != "" {
		return fail("%s", bad)
	}
	if n := b.maxSlots(); n > maxSlotsPerDay {
		return fail("%d classes on one day; at most %d", n, maxSlotsPerDay)
	}
	return b, nil
}

// slotTemplate is a resolved class template.
type slotTemplate struct {
	ClassTemplate
	startMin int // minutes after local midnight
	date     aimharder.Date
	extra    bool
}

func compileTemplate(t ClassTemplate) (slotTemplate, error) {
	h, m, err := parseHHMM(t.Start)
	if err != nil {
		return slotTemplate{}, err
	}
	if t.Minutes == 0 {
		t.Minutes = 60
	}
	if t.Minutes < 0 || t.Minutes > 24*60 || h*60+m+t.Minutes > 24*60 {
		return slotTemplate{}, fmt.Errorf("class %s must end the same day", t.Start)
	}
	if strings.TrimSpace(t.Name) == "" {
		return slotTemplate{}, errors.New("class needs a Name")
	}
	if t.Capacity < 0 || t.Booked < 0 || t.Waiting < 0 || t.Rush < 0 || t.RushDelay < 0 || t.RushSpread < 0 {
		return slotTemplate{}, errors.New("negative counts or delays")
	}
	if t.TypeID == 0 {
		t.TypeID = typeIDFor(t.Name)
	}
	if t.Color == "" {
		t.Color = colorFor(t.Name)
	}
	return slotTemplate{ClassTemplate: t, startMin: h*60 + m}, nil
}

func (t slotTemplate) appliesOn(d aimharder.Date) bool {
	if t.extra {
		return t.date == d
	}
	return len(t.Weekdays) == 0 || slices.Contains(t.Weekdays, d.Weekday())
}

// maxSlots is the largest number of classes any date can hold.
func (b *box) maxSlots() int {
	most := 0
	for wd := time.Sunday; wd <= time.Saturday; wd++ {
		n := 0
		for _, t := range b.template {
			if len(t.Weekdays) == 0 || slices.Contains(t.Weekdays, wd) {
				n++
			}
		}
		extraByDate := map[aimharder.Date]int{}
		for _, e := range b.extras {
			if e.date.Weekday() == wd {
				extraByDate[e.date]++
			}
		}
		extra := 0
		for _, k := range extraByDate {
			extra = max(extra, k)
		}
		most = max(most, n+extra)
	}
	return most
}

// classInChange finds a class that would start, end or run through the
// missing or repeated wall-clock stretch of a DST change day. Such a class
// has no single meaning for "N days earlier at the same time", so the seed
// is rejected instead of picking one (docs/protocol.md §9.1).
func (b *box) classInChange() string {
	interval := func(t slotTemplate, d aimharder.Date) (int64, int64) {
		from := wallSeconds(d.Year, d.Month, d.Day, 0, t.startMin)
		return from, from + int64(t.Minutes)*60
	}
	bad := func(t slotTemplate, d aimharder.Date) string {
		return fmt.Sprintf("class %q at %s on %s falls in the DST change of %s", t.Name, t.Start, d, b.loc)
	}
	for _, e := range b.extras {
		if from, to := interval(e, e.date); overlapsChange(b.loc, from, to) {
			return bad(e, e.date)
		}
	}
	// A recurring class can only meet a change on the change's own dates.
	for _, ch := range dstChanges(b.loc) {
		for _, d := range ch.dates() {
			for _, t := range b.template {
				if from, to := interval(t, d); t.appliesOn(d) && from < ch.to && to > ch.from {
					return bad(t, d)
				}
			}
		}
	}
	return ""
}

// openingInChange finds a class whose booking window opens in the missing
// or repeated stretch of a DST change day: under "4d", a 02:30 class on the
// Thursday after the October change opens at a 02:30 that happens twice.
// Like a class placed there it has no single opening instant, so the seed
// is rejected instead of picking one (docs/protocol.md §9.1).
// Fixed-hour openings are checked by fixedOpeningInChange; elapsed hours
// always give one instant.
func (b *box) openingInChange() string {
	var shift int64 // wall seconds from the opening to the start
	switch w := b.cfg.Window; {
	case w.Kind == RuleSlidingDays:
		shift = int64(w.Days) * 24 * 3600
	case w.Kind == RuleSlidingHours && w.WallClockHours:
		shift = int64(w.Hours) * 3600
	default:
		return ""
	}
	opensIn := func(t slotTemplate, d aimharder.Date, ch dstChange) bool {
		at := wallSeconds(d.Year, d.Month, d.Day, 0, t.startMin) - shift
		return at >= ch.from && at < ch.to
	}
	bad := func(t slotTemplate, d aimharder.Date) string {
		return fmt.Sprintf("class %q at %s on %s opens (%s before) in the DST change of %s", t.Name, t.Start, d, b.cfg.Window, b.loc)
	}
	for _, ch := range dstChanges(b.loc) {
		for _, e := range b.extras {
			if opensIn(e, e.date, ch) {
				return bad(e, e.date)
			}
		}
		// A recurring class can only open in a change on the dates the
		// change's stretch reaches once shifted forward.
		for _, d := range (dstChange{from: ch.from + shift, to: ch.to + shift}).dates() {
			for _, t := range b.template {
				if t.appliesOn(d) && opensIn(t, d, ch) {
					return bad(t, d)
				}
			}
		}
	}
	return ""
}

// fixedOpeningInChange reports a change day on which a fixed-hour opening
// time does not exist or exists twice.
func fixedOpeningInChange(loc *time.Location, r WindowRule) string {
	for _, ch := range dstChanges(loc) {
		for _, d := range ch.dates() {
			at := wallSeconds(d.Year, d.Month, d.Day, r.Hour, r.Minute)
			if at >= ch.from && at < ch.to {
				return d.String()
			}
		}
	}
	return ""
}

func compileUser(uc UserConfig, boxes map[string]*box, ids map[int64]bool) (*user, error) {
	fail := func(format string, args ...any) (*user, error) {
		return nil, fmt.Errorf("user %q: %s", uc.Email, fmt.Sprintf(format, args...))
	}
	email := normEmail(uc.Email)
	if email == "" || !strings.Contains(email, "@") {
		return fail("needs an e-mail")
	}
	if uc.Password == "" {
		return fail("needs a password")
	}
	if uc.ID <= 0 || ids[uc.ID] {
		return fail("id must be positive and unique")
	}
	ids[uc.ID] = true
	lang := uc.Language
	switch lang {
	case "":
		lang = "es"
	case "es", "ca", "en":
	default:
		return fail("language must be es, ca or en")
	}
	if uc.Credits != nil && *uc.Credits < 0 {
		return fail("negative credits")
	}
	u := &user{cfg: uc, email: email, lang: lang, members: map[string]*person{}}
	for _, r := range uc.Roles {
		if boxes[r.Box] == nil {
			return fail("role in unknown box %q", r.Box)
		}
		role := r.Role
		if role == "" {
			role = "client"
		}
		u.roles = append(u.roles, roleEntry{box: boxes[r.Box], role: role})
	}
	u.person = newPerson(u, uc.ID, uc.Name, uc.Photo, uc.Plan, uc.Credits, uc.Quota, uc.PaymentPending, "")
	for _, m := range uc.Family {
		if m.ID <= 0 || ids[m.ID] {
			return fail("family member id must be positive and unique")
		}
		if m.Credits != nil && *m.Credits < 0 {
			return fail("negative credits")
		}
		ids[m.ID] = true
		fid := strconv.FormatInt(m.ID, 10)
		u.members[fid] = newPerson(u, m.ID, m.Name, m.Photo, m.Plan, m.Credits, m.Quota, m.PaymentPending, fid)
		u.memberOrder = append(u.memberOrder, fid)
	}
	return u, nil
}

func normEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

func newPerson(u *user, id int64, name, photo string, plan []string, credits *int, quota int, pending bool, fid string) *person {
	p := &person{id: id, name: name, photo: photo, holder: u, quota: quota, paymentPending: pending, familyID: fid}
	if credits != nil {
		p.credits = new(*credits) // own copy: bookings change it
	}
	if plan != nil {
		p.plan = map[string]bool{}
		for _, n := range plan {
			p.plan[normType(n)] = true
			p.planNames = append(p.planNames, strings.TrimSpace(n))
		}
	}
	return p
}

func normType(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }

// typeIDFor derives a stable class-type id from its name, so plans and rows
// agree without the world author numbering types.
func typeIDFor(name string) int64 {
	return 1000 + int64(hash64(normType(name))%9000)
}

var palette = []string{"231, 76, 60", "52, 152, 219", "46, 204, 113", "155, 89, 182", "241, 196, 15", "230, 126, 34", "26, 188, 156", "149, 165, 166"}

func colorFor(name string) string { return palette[hash64(normType(name))%uint64(len(palette))] }
