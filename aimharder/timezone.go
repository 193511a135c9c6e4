package aimharder

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

// No AimHarder answer names a box's time zone (docs/protocol.md §4.3), so
// ahtui reads it from what AimHarder says about the box: its address
// (boxDir of the class list, docs/protocol.md §5.2) and its name (the gym of
// the login roles, §4.1).
//
// This is a heuristic, and this file is the whole of it: extend the table
// (and its tests) when a box shows up that it places wrongly or not at all.
// A member's box.<sub>.timezone always wins over it.

// ZoneGuess is a time zone read from a box's address or name.
type ZoneGuess struct {
	Zone string // IANA name
	Clue string // what gave it away: a postcode ("35003") or a place ("Las Palmas")
}

// DetectTimeZone reads the box's zone from its texts, most telling first
// (the address, then the name); the first text that places the box wins.
// false when none does (the caller assumes DefaultTimeZone).
func DetectTimeZone(texts ...string) (ZoneGuess, bool) {
	for _, text := range texts {
		if g, ok := detectIn(text); ok {
			return g, true
		}
	}
	return ZoneGuess{}, false
}

// placeRank orders the kinds of places: a city says more than the island or
// region around it, which says more than the country.
type placeRank int

const (
	rankCity placeRank = iota
	rankRegion
	rankCountry
)

type place struct {
	words string // lower case, without accents, words separated by one space
	name  string // as shown in the clue
	zone  string
	rank  placeRank
	// outside: the place is not in Spain, so a 5-digit number near it is
	// not a Spanish postcode (Mexico's have 5 digits too).
	outside bool
}

const (
	canary  = "Atlantic/Canary"
	mainES  = DefaultTimeZone // Europe/Madrid
	lisbon  = "Europe/Lisbon"
	madeira = "Atlantic/Madeira"
	azores  = "Atlantic/Azores"
)

// places is the table. Names shared with places elsewhere are left out or
// spelt in full ("santiago de chile", not "santiago", which is also in
// Galicia; no "cordoba", "merida", "valencia" alone for Venezuela…).
var places = []place{
	// Canary Islands: an hour behind the mainland, same DST dates.
	{"las palmas", "Las Palmas", canary, rankCity, false},
	{"santa cruz de tenerife", "Santa Cruz de Tenerife", canary, rankCity, false},
	{"la laguna", "La Laguna", canary, rankCity, false},
	{"arrecife", "Arrecife", canary, rankCity, false},
	{"puerto del rosario", "Puerto del Rosario", canary, rankCity, false},
	{"adeje", "Adeje", canary, rankCity, false},
	{"arona", "Arona", canary, rankCity, false},
	{"los cristianos", "Los Cristianos", canary, rankCity, false},
	{"puerto de la cruz", "Puerto de la Cruz", canary, rankCity, false},
	{"la orotava", "La Orotava", canary, rankCity, false},
	{"telde", "Telde", canary, rankCity, false},
	{"maspalomas", "Maspalomas", canary, rankCity, false},
	{"playa del ingles", "Playa del Inglés", canary, rankCity, false},
	{"vecindario", "Vecindario", canary, rankCity, false},
	{"arucas", "Arucas", canary, rankCity, false},
	{"corralejo", "Corralejo", canary, rankCity, false},
	{"gran canaria", "Gran Canaria", canary, rankRegion, false},
	{"tenerife", "Tenerife", canary, rankRegion, false},
	{"lanzarote", "Lanzarote", canary, rankRegion, false},
	{"fuerteventura", "Fuerteventura", canary, rankRegion, false},
	{"la gomera", "La Gomera", canary, rankRegion, false},
	{"el hierro", "El Hierro", canary, rankRegion, false},
	{"canarias", "Canarias", canary, rankRegion, false},
	{"canary islands", "Canary Islands", canary, rankRegion, false},
	// Mainland Spain and the Balearics: the default, but stated.
	{"madrid", "Madrid", mainES, rankCity, false},
	{"barcelona", "Barcelona", mainES, rankCity, false},
	{"bcn", "Barcelona", mainES, rankCity, false},
	{"valencia", "Valencia", mainES, rankCity, false},
	{"sevilla", "Sevilla", mainES, rankCity, false},
	{"zaragoza", "Zaragoza", mainES, rankCity, false},
	{"malaga", "Málaga", mainES, rankCity, false},
	{"bilbao", "Bilbao", mainES, rankCity, false},
	{"palma de mallorca", "Palma de Mallorca", mainES, rankCity, false},
	{"espana", "España", mainES, rankCountry, false},
	{"spain", "Spain", mainES, rankCountry, false},
	// Portugal (its postcodes are read first: see detectIn).
	{"lisboa", "Lisboa", lisbon, rankCity, true},
	{"lisbon", "Lisbon", lisbon, rankCity, true},
	{"porto", "Porto", lisbon, rankCity, true},
	{"oporto", "Oporto", lisbon, rankCity, true},
	{"funchal", "Funchal", madeira, rankCity, true},
	{"madeira", "Madeira", madeira, rankRegion, true},
	{"ponta delgada", "Ponta Delgada", azores, rankCity, true},
	{"acores", "Açores", azores, rankRegion, true},
	{"azores", "Azores", azores, rankRegion, true},
	{"portugal", "Portugal", lisbon, rankCountry, true},
	// Latin America: capitals, a few large cities, countries.
	{"ciudad de mexico", "Ciudad de México", "America/Mexico_City", rankCity, true},
	{"cdmx", "CDMX", "America/Mexico_City", rankCity, true},
	{"monterrey", "Monterrey", "America/Monterrey", rankCity, true},
	{"cancun", "Cancún", "America/Cancun", rankCity, true},
	{"tijuana", "Tijuana", "America/Tijuana", rankCity, true},
	{"mexico", "México", "America/Mexico_City", rankCountry, true},
	{"bogota", "Bogotá", "America/Bogota", rankCity, true},
	{"medellin", "Medellín", "America/Bogota", rankCity, true},
	{"colombia", "Colombia", "America/Bogota", rankCountry, true},
	{"lima", "Lima", "America/Lima", rankCity, true},
	{"peru", "Perú", "America/Lima", rankCountry, true},
	{"santiago de chile", "Santiago de Chile", "America/Santiago", rankCity, true},
	{"chile", "Chile", "America/Santiago", rankCountry, true},
	{"buenos aires", "Buenos Aires", "America/Argentina/Buenos_Aires", rankCity, true},
	{"argentina", "Argentina", "America/Argentina/Buenos_Aires", rankCountry, true},
	{"montevideo", "Montevideo", "America/Montevideo", rankCity, true},
	{"uruguay", "Uruguay", "America/Montevideo", rankCountry, true},
	{"caracas", "Caracas", "America/Caracas", rankCity, true},
	{"venezuela", "Venezuela", "America/Caracas", rankCountry, true},
	{"quito", "Quito", "America/Guayaquil", rankCity, true},
	{"guayaquil", "Guayaquil", "America/Guayaquil", rankCity, true},
	{"ecuador", "Ecuador", "America/Guayaquil", rankCountry, true},
	{"bolivia", "Bolivia", "America/La_Paz", rankCountry, true},
	{"asuncion", "Asunción", "America/Asuncion", rankCity, true},
	{"paraguay", "Paraguay", "America/Asuncion", rankCountry, true},
	{"costa rica", "Costa Rica", "America/Costa_Rica", rankCountry, true},
	{"panama", "Panamá", "America/Panama", rankCountry, true},
	{"guatemala", "Guatemala", "America/Guatemala", rankCountry, true},
	{"el salvador", "El Salvador", "America/El_Salvador", rankCountry, true},
	{"tegucigalpa", "Tegucigalpa", "America/Tegucigalpa", rankCity, true},
	{"honduras", "Honduras", "America/Tegucigalpa", rankCountry, true},
	{"managua", "Managua", "America/Managua", rankCity, true},
	{"nicaragua", "Nicaragua", "America/Managua", rankCountry, true},
	{"santo domingo", "Santo Domingo", "America/Santo_Domingo", rankCity, true},
	{"republica dominicana", "República Dominicana", "America/Santo_Domingo", rankCountry, true},
	{"puerto rico", "Puerto Rico", "America/Puerto_Rico", rankCountry, true},
	{"la habana", "La Habana", "America/Havana", rankCity, true},
	{"cuba", "Cuba", "America/Havana", rankCountry, true},
}

var (
	// Portugal: "1000-001"; 9000–9499 is Madeira (Porto Santo is 94xx),
	// 9500–9999 the Azores.
	portuguesePostcode = regexp.MustCompile(`\b(\d{4})-\d{3}\b`)
	// Spain: five digits, the first two the province (01–52); 35 is Las
	// Palmas, 38 Santa Cruz de Tenerife.
	spanishPostcode = regexp.MustCompile(`\b(0[1-9]|[1-4]\d|5[0-2])\d{3}\b`)
)

// detectIn places one text: a Portuguese postcode; else a Spanish
// postcode, unless a place outside Spain follows it (a Mexican address);
// else the best place named, a city before a region before a country, and
// of equals the last one (an address ends with its town: "Calle México 5,
// Madrid" is in Madrid).
func detectIn(text string) (ZoneGuess, bool) {
	if m := portuguesePostcode.FindStringSubmatchIndex(text); m != nil {
		n, _ := strconv.Atoi(text[m[2]:m[3]])
		zone := lisbon
		switch {
		case n >= 9000 && n <= 9499:
			zone = madeira
		case n >= 9500:
			zone = azores
		}
		return ZoneGuess{Zone: zone, Clue: text[m[0]:m[1]]}, true
	}
	folded := fold(text)
	if m := spanishPostcode.FindStringSubmatchIndex(folded); m != nil {
		if p, ok := bestPlace(folded[m[1]:], true); ok {
			return ZoneGuess{Zone: p.zone, Clue: p.name}, true
		}
		zone := mainES
		if prov := folded[m[2]:m[3]]; prov == "35" || prov == "38" {
			zone = canary
		}
		return ZoneGuess{Zone: zone, Clue: folded[m[0]:m[1]]}, true
	}
	if p, ok := bestPlace(folded, false); ok {
		return ZoneGuess{Zone: p.zone, Clue: p.name}, true
	}
	return ZoneGuess{}, false
}

// bestPlace finds the most telling place named in folded text; with
// outsideOnly, only places outside Spain count.
func bestPlace(folded string, outsideOnly bool) (place, bool) {
	padded := " " + folded + " "
	var (
		best    place
		bestAt  = -1
		matched bool
	)
	for _, p := range places {
		if outsideOnly && !p.outside {
			continue
		}
		at := strings.LastIndex(padded, " "+p.words+" ")
		if at < 0 {
			continue
		}
		if !matched || p.rank < best.rank || p.rank == best.rank && at > bestAt {
			best, bestAt, matched = p, at, true
		}
	}
	return best, matched
}

// fold lowers a text, drops the accents of Spanish and Portuguese letters
// and turns everything but letters and digits into single spaces, keeping
// each digit where it was so postcodes read the same.
func fold(text string) string {
	var b strings.Builder
	space := true
	for _, r := range strings.ToLower(text) {
		if f, ok := unaccent[r]; ok {
			r = f
		}
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
			space = false
		case !space:
			b.WriteByte(' ')
			space = true
		}
	}
	return strings.TrimSpace(b.String())
}

var unaccent = map[rune]rune{
	'á': 'a', 'à': 'a', 'â': 'a', 'ã': 'a', 'ä': 'a',
	'é': 'e', 'è': 'e', 'ê': 'e', 'ë': 'e',
	'í': 'i', 'ì': 'i', 'î': 'i', 'ï': 'i',
	'ó': 'o', 'ò': 'o', 'ô': 'o', 'õ': 'o', 'ö': 'o',
	'ú': 'u', 'ù': 'u', 'û': 'u', 'ü': 'u',
	'ñ': 'n', 'ç': 'c',
}

// Relocate reads the day's class times again as wall-clock times of loc:
// each Start and End keeps the hour and minute it shows in its own location
// (what AimHarder sent) and becomes that time in loc. A day read while its
// box's zone was wrong, or cached before the zone changed, is right after.
func (d *Day) Relocate(loc *time.Location) {
	if loc == nil {
		return
	}
	for i := range d.Classes {
		d.Classes[i].Start = rewall(d.Classes[i].Start, loc)
		d.Classes[i].End = rewall(d.Classes[i].End, loc)
	}
}

// Rewall returns the instant that shows t's wall-clock time (in t's own
// location) in loc; the zero time stays zero.
func Rewall(t time.Time, loc *time.Location) time.Time { return rewall(t, loc) }

func rewall(t time.Time, loc *time.Location) time.Time {
	if t.IsZero() || loc == nil {
		return t
	}
	return wallTime(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), loc)
}
