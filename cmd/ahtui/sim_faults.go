package main

import (
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ahtui/ahtui/aimharder/aimhardertest"
)

// `ahtui sim --fault KIND[@ENDPOINT,…]`: the fake's fault knobs on the
// command line, so `ahtui doctor` (and the rest) can be tried against the
// ways the real service misbehaves (docs/protocol.md §10, §11.4).

// simFaultKinds maps a --fault kind to the fault it injects.
var simFaultKinds = map[string]aimhardertest.Fault{
	"geo-block":        {Kind: aimhardertest.FaultGeoBlock},
	"rate-limit":       {Kind: aimhardertest.FaultRateLimit},
	"html":             {Kind: aimhardertest.FaultLoginPage},
	"logout":           {Kind: aimhardertest.FaultLogout},
	"5xx":              {Kind: aimhardertest.FaultStatus, Status: http.StatusServiceUnavailable},
	"500":              {Kind: aimhardertest.FaultStatus, Status: http.StatusInternalServerError},
	"502":              {Kind: aimhardertest.FaultStatus, Status: http.StatusBadGateway},
	"503":              {Kind: aimhardertest.FaultStatus, Status: http.StatusServiceUnavailable},
	"504":              {Kind: aimhardertest.FaultStatus, Status: http.StatusGatewayTimeout},
	"truncate":         {Kind: aimhardertest.FaultTruncate},
	"drop":             {Kind: aimhardertest.FaultDrop},
	"extra-keys":       {Kind: aimhardertest.FaultShape, Shape: aimhardertest.Shape{ExtraKeys: true}},
	"missing-optional": {Kind: aimhardertest.FaultShape, Shape: aimhardertest.Shape{MissingOptional: true}},
	// The minority shapes of docs/protocol.md §10B.
	"refusal-no-state":     {Kind: aimhardertest.FaultShape, Shape: aimhardertest.Shape{RefusalsWithoutState: true}},
	"rule-no-key":          {Kind: aimhardertest.FaultShape, Shape: aimhardertest.Shape{RuleRefusalsWithoutKey: true}},
	"bare-rule":            {Kind: aimhardertest.FaultShape, Shape: aimhardertest.Shape{BareRuleRefusals: true}},
	"timeid-only":          {Kind: aimhardertest.FaultShape, Shape: aimhardertest.Shape{TimeIDOnly: true}},
	"start-time-only":      {Kind: aimhardertest.FaultShape, Shape: aimhardertest.Shape{StartTimeOnly: true}},
	"booked-as-waitlisted": {Kind: aimhardertest.FaultShape, Shape: aimhardertest.Shape{BookedAsWaitlisted: true}},
}

// simFaultMeaning says what each kind does, for the banner.
var simFaultMeaning = map[string]string{
	"geo-block":        "403 page, as AimHarder answers networks it refuses",
	"rate-limit":       "429 rate-limit page",
	"html":             "200 with a login page instead of JSON",
	"logout":           "the caller's session is ended before the request is handled",
	"truncate":         "JSON cut in half",
	"drop":             "connection closed without an answer",
	"extra-keys":       "unknown keys in every JSON object",
	"missing-optional": "optional keys left out",

	"refusal-no-state":     "box-rule refusals of book and cancel without bookState/cancelState, the reason as HTML",
	"rule-no-key":          "−12 answers without errorMssgLang (the text kept)",
	"bare-rule":            "−12 answers with neither errorMssgLang nor errorMssg",
	"timeid-only":          "class rows without time, timeid as \"900_60\"",
	"start-time-only":      "class rows with time as the start alone (\"09:00\") and classLength",
	"booked-as-waitlisted": "a booking with a place answered bookState 0",
}

var simEndpoints = []aimhardertest.Endpoint{
	aimhardertest.EndpointLogin, aimhardertest.EndpointLegacyLogin, aimhardertest.EndpointSetRefresh,
	aimhardertest.EndpointTokenUpdate, aimhardertest.EndpointWhoami, aimhardertest.EndpointHome,
	aimhardertest.EndpointLogout, aimhardertest.EndpointPage, aimhardertest.EndpointSchedule,
	aimhardertest.EndpointBookings, aimhardertest.EndpointBook, aimhardertest.EndpointCancelBook,
	aimhardertest.EndpointNextBookings, aimhardertest.EndpointCoachBookings, aimhardertest.EndpointOtherAPI,
}

func faultKindNames() string {
	names := make([]string, 0, len(simFaultKinds))
	for k := range simFaultKinds {
		names = append(names, k)
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}

type simFault struct {
	spec  string
	fault aimhardertest.Fault
}

// parseFaults reads the --fault values: KIND, or KIND@ENDPOINT[,ENDPOINT…]
// to affect only those endpoints (e.g. html@bookings).
func parseFaults(specs []string) ([]simFault, error) {
	var out []simFault
	for _, spec := range specs {
		kind, eps, hasEps := strings.Cut(strings.TrimSpace(spec), "@")
		f, ok := simFaultKinds[strings.ToLower(kind)]
		if !ok {
			return nil, fmt.Errorf("--fault %q: unknown kind %q (one of %s)", spec, kind, faultKindNames())
		}
		if hasEps {
			for _, name := range strings.Split(eps, ",") {
				ep := aimhardertest.Endpoint(strings.TrimSpace(name))
				if !slices.Contains(simEndpoints, ep) {
					var known []string
					for _, e := range simEndpoints {
						known = append(known, string(e))
					}
					return nil, fmt.Errorf("--fault %q: unknown endpoint %q (one of %s)", spec, name, strings.Join(known, ", "))
				}
				f.Endpoints = append(f.Endpoints, ep)
			}
		}
		out = append(out, simFault{spec: spec, fault: f})
	}
	return out, nil
}

// printFaults tells, in the banner, how the simulation misbehaves.
func printFaults(w io.Writer, faults []simFault, offset time.Duration) {
	if len(faults) == 0 && offset == 0 {
		return
	}
	fmt.Fprintln(w, "Misbehaving on purpose:")
	for _, f := range faults {
		kind, _, _ := strings.Cut(f.spec, "@")
		what := simFaultMeaning[strings.ToLower(kind)]
		if f.fault.Kind == aimhardertest.FaultStatus {
			what = "HTTP " + strconv.Itoa(f.fault.Status) + " with an error page"
		}
		where := "every request"
		if len(f.fault.Endpoints) > 0 {
			var eps []string
			for _, e := range f.fault.Endpoints {
				eps = append(eps, string(e))
			}
			where = strings.Join(eps, ", ")
		}
		fmt.Fprintf(w, "  --fault %s: %s (%s)\n", f.spec, what, where)
	}
	if offset != 0 {
		fmt.Fprintf(w, "  --clock-offset %s: the server's clock (and its Date header) runs that far ahead\n", offset)
	}
	fmt.Fprintln(w)
}
