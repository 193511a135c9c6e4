package aimharder

import (
	"testing"
	"time"
)

func TestDetectTimeZone(t *testing.T) {
	tests := []struct {
		name          string
		texts         []string
		zone, clue    string
		wantUndecided bool
	}{
		// Spanish postcodes: the province decides.
		{name: "Las Palmas postcode", texts: []string{"Avenida Marítima 3, 35003 Las Palmas de Gran Canaria"}, zone: "Atlantic/Canary", clue: "35003"},
		{name: "Tenerife postcode", texts: []string{"C/ Obispo Rey Redondo 12, 38201"}, zone: "Atlantic/Canary", clue: "38201"},
		{name: "Madrid postcode", texts: []string{"Calle del Ejemplo 12, 28012 Madrid"}, zone: "Europe/Madrid", clue: "28012"},
		{name: "Barcelona postcode", texts: []string{"Carrer de la Prova 7, 08012 Barcelona"}, zone: "Europe/Madrid", clue: "08012"},
		{name: "postcode beats a street named after the islands", texts: []string{"Calle Las Palmas 4, 28020 Madrid"}, zone: "Europe/Madrid", clue: "28020"},
		{name: "postcode beats a street named after a country", texts: []string{"Calle de México 5, 28028 Madrid"}, zone: "Europe/Madrid", clue: "28028"},
		{name: "postcode without a town", texts: []string{"35010"}, zone: "Atlantic/Canary", clue: "35010"},
		{name: "53xxx is no province", texts: []string{"Calle 5, 53001"}, wantUndecided: true},
		// Portugal.
		{name: "Lisbon postcode", texts: []string{"Rua Augusta 100, 1100-053 Lisboa"}, zone: "Europe/Lisbon", clue: "1100-053"},
		{name: "Porto postcode", texts: []string{"Rua de Santa Catarina 1, 4000-447"}, zone: "Europe/Lisbon", clue: "4000-447"},
		{name: "Madeira postcode", texts: []string{"Avenida do Mar, 9000-055 Funchal"}, zone: "Atlantic/Madeira", clue: "9000-055"},
		{name: "Porto Santo postcode", texts: []string{"Rua Principal, 9400-000"}, zone: "Atlantic/Madeira", clue: "9400-000"},
		{name: "Azores postcode", texts: []string{"Rua X, 9500-150 Ponta Delgada"}, zone: "Atlantic/Azores", clue: "9500-150"},
		// Latin America: a Mexican postcode has five digits too.
		{name: "Mexico City postcode and city", texts: []string{"Av. Paseo de la Reforma 222, 06600 Ciudad de México"}, zone: "America/Mexico_City", clue: "Ciudad de México"},
		{name: "CDMX", texts: []string{"Insurgentes Sur 300, Roma Nte., 06700 CDMX"}, zone: "America/Mexico_City", clue: "CDMX"},
		{name: "Bogotá", texts: []string{"Cra. 7 #71-21, Bogotá, Colombia"}, zone: "America/Bogota", clue: "Bogotá"},
		{name: "Lima", texts: []string{"Av. Larco 101, Miraflores, Lima"}, zone: "America/Lima", clue: "Lima"},
		{name: "Santiago de Chile", texts: []string{"Providencia 1234, Santiago de Chile"}, zone: "America/Santiago", clue: "Santiago de Chile"},
		{name: "Santiago alone is also in Galicia", texts: []string{"Rúa do Vilar 3, Santiago"}, wantUndecided: true},
		{name: "Buenos Aires", texts: []string{"Av. Corrientes 1234, C1043AAZ Buenos Aires"}, zone: "America/Argentina/Buenos_Aires", clue: "Buenos Aires"},
		{name: "Montevideo", texts: []string{"18 de Julio 1000, Montevideo"}, zone: "America/Montevideo", clue: "Montevideo"},
		{name: "Caracas", texts: []string{"Av. Francisco de Miranda, Caracas"}, zone: "America/Caracas", clue: "Caracas"},
		{name: "country only", texts: []string{"CrossFit Uruguay"}, zone: "America/Montevideo", clue: "Uruguay"},
		// Towns without a postcode: a city before an island before a country.
		{name: "Las Palmas without postcode", texts: []string{"Avenida Marítima 3, Las Palmas"}, zone: "Atlantic/Canary", clue: "Las Palmas"},
		{name: "city before country", texts: []string{"Las Palmas de Gran Canaria, España"}, zone: "Atlantic/Canary", clue: "Las Palmas"},
		{name: "island before country", texts: []string{"Costa Teguise, Lanzarote, Spain"}, zone: "Atlantic/Canary", clue: "Lanzarote"},
		{name: "the town ends the address", texts: []string{"Calle México 5, Madrid"}, zone: "Europe/Madrid", clue: "Madrid"},
		{name: "La Laguna", texts: []string{"CrossFit La Laguna"}, zone: "Atlantic/Canary", clue: "La Laguna"},
		{name: "Arrecife", texts: []string{"Box ARRECIFE"}, zone: "Atlantic/Canary", clue: "Arrecife"},
		{name: "Puerto del Rosario", texts: []string{"Puerto del Rosario Training"}, zone: "Atlantic/Canary", clue: "Puerto del Rosario"},
		{name: "Adeje", texts: []string{"Costa Adeje Fit"}, zone: "Atlantic/Canary", clue: "Adeje"},
		{name: "Telde", texts: []string{"Telde"}, zone: "Atlantic/Canary", clue: "Telde"},
		{name: "Maspalomas", texts: []string{"Maspalomas Cross"}, zone: "Atlantic/Canary", clue: "Maspalomas"},
		{name: "Santa Cruz de Tenerife", texts: []string{"Santa Cruz de Tenerife"}, zone: "Atlantic/Canary", clue: "Santa Cruz de Tenerife"},
		{name: "Lisboa", texts: []string{"CrossFit Lisboa"}, zone: "Europe/Lisbon", clue: "Lisboa"},
		{name: "Porto", texts: []string{"Porto Box"}, zone: "Europe/Lisbon", clue: "Porto"},
		{name: "Madrid by name", texts: []string{"CrossFit Demo Madrid "}, zone: "Europe/Madrid", clue: "Madrid"},
		{name: "a word inside another is no place", texts: []string{"Limassol Fitness", "Palmaseda"}, wantUndecided: true},
		{name: "nothing", texts: []string{"Funcional Demo", ""}, wantUndecided: true},
		// The address is read before the name.
		{name: "address first", texts: []string{"Calle Mayor 1, 35001", "CrossFit Madrid"}, zone: "Atlantic/Canary", clue: "35001"},
		{name: "name when the address says nothing", texts: []string{"Calle Mayor 1", "Demo Box Las Palmas"}, zone: "Atlantic/Canary", clue: "Las Palmas"},
	}
	for _, tt := range tests {
		g, ok := DetectTimeZone(tt.texts...)
		if tt.wantUndecided {
			if ok {
				t.Errorf("%s: %q placed in %s (%s), want no guess", tt.name, tt.texts, g.Zone, g.Clue)
			}
			continue
		}
		if !ok || g.Zone != tt.zone || g.Clue != tt.clue {
			t.Errorf("%s: %q → %+v %v, want %s (%s)", tt.name, tt.texts, g, ok, tt.zone, tt.clue)
		}
	}
}

// Every zone in the table loads, and every entry's words are folded as the
// matcher folds a text (else it could never match).
func TestDetectionTableIsUsable(t *testing.T) {
	for _, p := range places {
		if _, err := time.LoadLocation(p.zone); err != nil {
			t.Errorf("%s: %v", p.name, err)
		}
		if fold(p.words) != p.words || fold(p.name) != p.words && p.words != "bcn" && p.words != "oporto" {
			t.Errorf("%s: words %q do not fold from %q", p.name, p.words, fold(p.name))
		}
		if g, ok := DetectTimeZone(p.name); !ok || g.Zone != p.zone {
			t.Errorf("%s alone → %+v %v, want %s", p.name, g, ok, p.zone)
		}
	}
}

func TestRelocate(t *testing.T) {
	madrid, _ := time.LoadLocation("Europe/Madrid")
	canary, _ := time.LoadLocation("Atlantic/Canary")
	start := time.Date(2026, 10, 28, 10, 0, 0, 0, madrid)
	d := Day{Classes: []Class{{Start: start, End: start.Add(time.Hour)}, {Start: start}}}
	d.Relocate(canary)
	if got := d.Classes[0].Start; got.Location() != canary || got.Hour() != 10 || !got.Equal(start.Add(time.Hour)) {
		t.Errorf("start relocated to %v, want 10:00 Canary (an hour later)", got)
	}
	if got := d.Classes[0].End; got.Hour() != 11 || got.Location() != canary {
		t.Errorf("end relocated to %v", got)
	}
	if !d.Classes[1].End.IsZero() {
		t.Errorf("a zero end became %v", d.Classes[1].End)
	}
	// A time decoded from JSON carries a fixed offset: its wall clock is
	// what AimHarder sent.
	fixed := time.Date(2026, 10, 28, 10, 0, 0, 0, time.FixedZone("", 3600))
	if got := Rewall(fixed, canary); got.Hour() != 10 || got.Location() != canary {
		t.Errorf("Rewall(%v) = %v", fixed, got)
	}
}

func TestDayAddress(t *testing.T) {
	body := []byte(`{"bookings":[{"id":1,"time":"07:00 - 08:00","boxDir":null},{"id":2,"time":"08:00 - 09:00","boxDir":" Calle Mayor 1, 35001 Las Palmas "}],"timetable":[],"day":"","clasesDisp":"","seminars":[],"resmsgs":[]}`)
	madrid, _ := time.LoadLocation("Europe/Madrid")
	d, err := decodeDay(body, Date{Year: 2026, Month: 10, Day: 28}, madrid)
	if err != nil || d.Address != "Calle Mayor 1, 35001 Las Palmas" {
		t.Fatalf("address %q, %v", d.Address, err)
	}
}
