package aimharder

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
)

const plan = `"clasesContratadas":"BARBELL WOD, CONDITIONING, OPEN BOX, TEAM WOD, WOD"`

func TestBookRequest(t *testing.T) {
	f := newFake(t)
	f.handle("POST /b/sample-gym/api/book", replyFunc(`{`+plan+`,"hasPublicMemberships":1,"bookState":1,"id":"106015104"}`))
	c := f.client()
	res, _, err := c.Book(context.Background(), testCreds(), testBox(t), 106015104, Date{2026, 10, 27}, BookOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := BookResult{State: StateBooked, ReservationID: 106015104,
		PlanClasses: []string{"BARBELL WOD", "CONDITIONING", "OPEN BOX", "TEAM WOD", "WOD"}}
	if !reflect.DeepEqual(res, want) {
		t.Errorf("result = %+v", res)
	}
	r := f.only("/b/sample-gym/api/book")
	if r.Body != "day=20261027&familyId=&id=106015104&insist=0" {
		t.Errorf("body = %q", r.Body)
	}
	for header, want := range map[string]string{
		"Content-Type":     "application/x-www-form-urlencoded; charset=UTF-8",
		"X-Requested-With": "XMLHttpRequest",
		"Referer":          f.srv.URL + "/b/sample-gym/schedule",
		"Origin":           f.srv.URL,
	} {
		if got := r.Header.Get(header); got != want {
			t.Errorf("%s = %q, want %q", header, got, want)
		}
	}

	if _, _, err := c.Book(context.Background(), testCreds(), testBox(t), 7, Date{2026, 10, 27}, BookOptions{Insist: true, FamilyID: "555"}); err != nil {
		t.Fatal(err)
	}
	if got := f.requests("/b/sample-gym/api/book")[1].Body; got != "day=20261027&familyId=555&id=7&insist=1" {
		t.Errorf("insist body = %q", got)
	}
	if _, _, err := c.Book(context.Background(), testCreds(), testBox(t), 0, Date{2026, 10, 27}, BookOptions{}); err == nil {
		t.Error("a book without class id was accepted")
	}
}

// Every bookState of docs/protocol.md §7.1 and every errorMssgLang key of §7.2.
func TestBookAnswers(t *testing.T) {
	type expect struct {
		state    UserState
		resID    int64
		is       []error
		isNot    []error
		code     int
		key, msg string
		max      int
	}
	tests := []struct {
		name, body string
		want       expect
	}{
		{"booked", `{` + plan + `,"hasPublicMemberships":1,"bookState":1,"id":"106015104"}`, expect{state: StateBooked, resID: 106015104}},
		{"booked, numeric id", `{"bookState":"1","id":106015104}`, expect{state: StateBooked, resID: 106015104}},
		{"booked, no id", `{"bookState":1}`, expect{state: StateBooked}},
		{"waitlisted", `{` + plan + `,"bookState":0,"id":"106015999"}`, expect{state: StateWaitlisted, resID: 106015999}},
		{"full", `{` + plan + `,"bookState":-1}`, expect{code: -1, is: []error{ErrFull, ErrRefused}, isNot: []error{ErrTooEarly}}},
		{"no credit", `{` + plan + `,"bookState":-2,"errorMssg":"No tienes ninguna tarifa contratada que incluya esta clase"}`,
			expect{code: -2, is: []error{ErrNoCredit, ErrRefused}, msg: "No tienes ninguna tarifa contratada que incluya esta clase"}},
		{"too early, old form", `{"bookState":-4,"errorMssg":"No puedes reservar con tanta antelación"}`,
			expect{code: -4, is: []error{ErrTooEarly, ErrRefused}}},
		{"payment pending", `{"bookState":-5}`, expect{code: -5, is: []error{ErrPaymentPending, ErrRefused}}},
		{"too late", `{"bookState":"-7","errorMssg":"less than 15 minutes of anticipation"}`, expect{code: -7, is: []error{ErrTooLate, ErrRefused}}},
		{"daily limit", `{` + plan + `,"bookState":-8,"max":2}`, expect{code: -8, max: 2, is: []error{ErrDailyLimit, ErrRefused}}},
		{"daily limit, max as string", `{"bookState":-8,"max":"3"}`, expect{code: -8, max: 3, is: []error{ErrDailyLimit}}},
		{"too early days", `{` + plan + `,"bookState":-12,"errorMssg":"No puedes reservar clases con más de 4 días de antelación","errorMssgLang":"ERROR_ANTELACION_CLIENTE"}`,
			expect{code: -12, key: KeyTooEarlyDays, is: []error{ErrTooEarly, ErrRefused}, isNot: []error{ErrAlreadyBooked}}},
		{"too early hours", `{"bookState":-12,"errorMssg":"No puedes reservar clases con más de 48 horas de antelación","errorMssgLang":"ERROR_ANTELACION_CLIENTE_HORAS"}`,
			expect{code: -12, key: KeyTooEarlyHours, is: []error{ErrTooEarly}}},
		{"already booked", `{"bookState":-12,"errorMssg":"No puedes hacer más de una reserva a la misma hora","errorMssgLang":"NOPUEDESRESERVAMISMAHORA"}`,
			expect{code: -12, key: KeyAlreadyBooked, is: []error{ErrAlreadyBooked, ErrRefused}, isNot: []error{ErrTooEarly}}},
		{"quota", `{"bookState":-12,"errorMssg":"Has superado el límite de reservas de tu tarifa","errorMssgLang":"HASSUPERADOLIMITCONTR"}`,
			expect{code: -12, key: KeyQuotaExceeded, is: []error{ErrQuota, ErrRefused}, isNot: []error{ErrAlreadyBooked}}},
		{"unknown key", `{"bookState":-12,"errorMssg":"Clase no encontrada","errorMssgLang":"ERROR_CLASE_NO_ENCONTRADA"}`,
			expect{code: -12, key: "ERROR_CLASE_NO_ENCONTRADA", msg: "Clase no encontrada", is: []error{ErrRefused},
				isNot: []error{ErrTooEarly, ErrAlreadyBooked, ErrQuota, ErrFull}}},
		{"-12 without key", `{"bookState":-12,"errorMssg":"Algo"}`,
			expect{code: -12, is: []error{ErrRefused}, isNot: []error{ErrTooEarly, ErrAlreadyBooked}}},
		{"unknown code", `{"bookState":-99,"errorMssg":"<b>Error</b> raro"}`, expect{code: -99, msg: "Error raro", is: []error{ErrRefused}, isNot: []error{ErrFull}}},
		{"unknown positive code", `{"bookState":2}`, expect{code: 2, is: []error{ErrRefused}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := decodeBookAnswer([]byte(tt.body))
			w := tt.want
			if w.code == 0 {
				if err != nil || res.State != w.state || res.ReservationID != w.resID {
					t.Fatalf("result %+v err %v", res, err)
				}
				return
			}
			var be *BookingError
			if !errors.As(err, &be) {
				t.Fatalf("err = %v, want a BookingError", err)
			}
			if be.Code != w.code || be.Key != w.key || be.Max != w.max || (w.msg != "" && be.Message != w.msg) {
				t.Errorf("BookingError = %+v", be)
			}
			for _, target := range w.is {
				if !errors.Is(err, target) {
					t.Errorf("%v does not match %v", err, target)
				}
			}
			for _, target := range w.isNot {
				if errors.Is(err, target) {
					t.Errorf("%v matches %v", err, target)
				}
			}
			if msg := err.Error(); !strings.Contains(msg, "bookState") {
				t.Errorf("message lacks the code: %s", msg)
			}
		})
	}
}

func TestBookSessionAndProtocolAnswers(t *testing.T) {
	tests := []struct {
		name, body string
		want       error
	}{
		{"logout 1", `{"logout":1}`, ErrLoggedOut},
		{"logout true", `{"logout":true}`, ErrLoggedOut},
		{"HTML", loginPage, ErrUnexpectedAnswer},
		{"no bookState", `{` + plan + `}`, ErrProtocol},
		{"bookState text", `{"bookState":"ok"}`, ErrProtocol},
		{"bookState object", `{"bookState":{}}`, ErrProtocol},
		{"truncated", `{"bookState":1,"id":"1060`, ErrProtocol},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			f.handle("POST /b/sample-gym/api/book", replyFunc(tt.body))
			_, _, err := f.client().Book(context.Background(), testCreds(), testBox(t), 1, Date{2026, 10, 27}, BookOptions{})
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if IsRetryable(err) {
				t.Errorf("a book answer must never be retryable blindly: %v", err)
			}
		})
	}
}

func TestTooEarlyCarriesTheWindow(t *testing.T) {
	tests := []struct {
		name, key, msg string
		window         Rule
		known          bool
	}{
		{"es days [LIVE]", KeyTooEarlyDays, "No puedes reservar clases con más de 4 días de antelación", Rule{Kind: RuleSlidingDays, Days: 4}, true},
		{"es one day", KeyTooEarlyDays, "No puedes reservar clases con más de 1 día de antelación", Rule{Kind: RuleSlidingDays, Days: 1}, true},
		{"es without accents", KeyTooEarlyDays, "No puedes reservar clases con mas de 7 dias de antelacion", Rule{Kind: RuleSlidingDays, Days: 7}, true},
		{"ca days, straight apostrophe", KeyTooEarlyDays, "No pots reservar classes amb més de 4 dies d'antelació", Rule{Kind: RuleSlidingDays, Days: 4}, true},
		{"ca days, curly apostrophe", KeyTooEarlyDays, "No pots reservar classes amb més de 5 dies d’antelació", Rule{Kind: RuleSlidingDays, Days: 5}, true},
		{"en anticipation", KeyTooEarlyDays, "You cannot book classes with more than 4 days of anticipation", Rule{Kind: RuleSlidingDays, Days: 4}, true},
		{"en in advance", KeyTooEarlyDays, "You can't book more than 3 days in advance", Rule{Kind: RuleSlidingDays, Days: 3}, true},
		{"es hours [GUESS]", KeyTooEarlyHours, "No puedes reservar clases con más de 48 horas de antelación", Rule{Kind: RuleSlidingHours, Hours: 48}, true},
		{"ca hours [GUESS]", KeyTooEarlyHours, "No pots reservar classes amb més de 22 hores d'antelació", Rule{Kind: RuleSlidingHours, Hours: 22}, true},
		{"en hours [GUESS]", KeyTooEarlyHours, "You cannot book more than 72 hours in advance", Rule{Kind: RuleSlidingHours, Hours: 72}, true},
		{"hours key, bare number", KeyTooEarlyHours, "Reserva abierta 24 horas antes", Rule{Kind: RuleSlidingHours, Hours: 24}, true},
		{"days key, no number", KeyTooEarlyDays, "Todavía no puedes reservar esta clase", Rule{}, false},
		{"hours key, only days in text", KeyTooEarlyHours, "más de 2 días de antelación", Rule{}, false},
		{"days key, zero", KeyTooEarlyDays, "más de 0 días de antelación", Rule{}, false},
		{"days key, absurd number", KeyTooEarlyDays, "más de 99999999999999999999 días de antelación", Rule{}, false},
		{"no key, hours in text", "", "No puedes reservar con más de 48 horas de antelación", Rule{Kind: RuleSlidingHours, Hours: 48}, true},
		{"no key, days in text", "", "No puedes reservar con más de 4 días de antelación", Rule{Kind: RuleSlidingDays, Days: 4}, true},
		{"no key, [ONE] -4 text", "", "No puedes reservar con tanta antelación", Rule{}, false},
		{"no key, bare hours first", "", "Abre 12 horas antes (máximo 3 días)", Rule{Kind: RuleSlidingHours, Hours: 12}, true},
		{"other ANTELACION key", "ERROR_ANTELACION_OTRA", "más de 6 días de antelación", Rule{Kind: RuleSlidingDays, Days: 6}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			window, known := tooEarlyWindow(tt.key, tt.msg)
			if window != tt.window || known != tt.known {
				t.Errorf("tooEarlyWindow = %+v, %v; want %+v, %v", window, known, tt.window, tt.known)
			}
		})
	}
	// Through the decoder: errors.As finds the TooEarlyError inside the BookingError.
	_, err := decodeBookAnswer([]byte(`{"bookState":-12,"errorMssg":"No puedes reservar clases con más de 4 días de antelación","errorMssgLang":"ERROR_ANTELACION_CLIENTE"}`))
	var te *TooEarlyError
	if !errors.As(err, &te) || !te.WindowKnown || te.Window != (Rule{Kind: RuleSlidingDays, Days: 4}) || te.Key != KeyTooEarlyDays {
		t.Fatalf("err = %v, TooEarlyError %+v", err, te)
	}
	if !strings.Contains(te.Error(), "4 days") {
		t.Errorf("message = %q", te.Error())
	}
	_, err = decodeBookAnswer([]byte(`{"bookState":-4,"errorMssg":"No puedes reservar con tanta antelación"}`))
	if !errors.As(err, &te) || te.WindowKnown {
		t.Errorf("-4 without N: %+v", te)
	}
}

func TestPreparedBook(t *testing.T) {
	f := newFake(t)
	var mu sync.Mutex
	n := 0
	f.handle("POST /b/sample-gym/api/book", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		n++
		first := n == 1
		mu.Unlock()
		http.SetCookie(w, &http.Cookie{Name: "AWSALB", Value: "sticky"})
		if first {
			reply(w, `{"bookState":1,"id":"900"}`)
			return
		}
		reply(w, `{"bookState":-12,"errorMssg":"No puedes hacer más de una reserva a la misma hora","errorMssgLang":"NOPUEDESRESERVAMISMAHORA"}`)
	})
	c := f.client()
	creds := testCreds()
	p, err := c.PrepareBook(creds, testBox(t), 106015104, Date{2026, 10, 27}, BookOptions{})
	if err != nil {
		t.Fatal(err)
	}
	creds.Cookies[AuthCookie] = "changed-after-prepare" // the prepared request owns its copy
	res, out, err := p.Send(context.Background())
	if err != nil || res.ReservationID != 900 || out.Cookies["AWSALB"] != "sticky" || out.Cookies[AuthCookie] != testAuthCookie {
		t.Fatalf("first send: %+v %v %v", res, out.Cookies, err)
	}
	// A burst: concurrent sends of the same prepared request.
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, errs[i] = p.Send(context.Background())
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if !errors.Is(err, ErrAlreadyBooked) {
			t.Errorf("burst send: %v", err)
		}
	}
	reqs := f.requests("/b/sample-gym/api/book")
	if len(reqs) != 5 {
		t.Fatalf("%d requests", len(reqs))
	}
	for _, r := range reqs {
		if r.Body != "day=20261027&familyId=&id=106015104&insist=0" || !strings.Contains(r.Header.Get("Cookie"), "amhrdrauth="+testAuthCookie) {
			t.Errorf("request body %q cookie %q", r.Body, r.Header.Get("Cookie"))
		}
	}
}

func TestCancel(t *testing.T) {
	f := newFake(t)
	f.handle("POST /b/sample-gym/api/cancelBook", replyFunc(`{"cancelState":1}`))
	c := f.client()
	if _, err := c.Cancel(context.Background(), testCreds(), testBox(t), 106028586, CancelOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Cancel(context.Background(), testCreds(), testBox(t), 106028586, CancelOptions{Late: true, FamilyID: "55"}); err != nil {
		t.Fatal(err)
	}
	reqs := f.requests("/b/sample-gym/api/cancelBook")
	if reqs[0].Body != "id=106028586&late=0&familyId=" || reqs[1].Body != "id=106028586&late=1&familyId=55" {
		t.Errorf("bodies %q, %q", reqs[0].Body, reqs[1].Body)
	}
	if reqs[0].Header.Get("X-Requested-With") != "XMLHttpRequest" {
		t.Error("cancel without XHR header")
	}
	if _, err := c.Cancel(context.Background(), testCreds(), testBox(t), 0, CancelOptions{}); err == nil {
		t.Error("a cancel without reservation id was accepted")
	}
}

func TestCancelAnswers(t *testing.T) {
	tests := []struct {
		name, body string
		is         []error
		isNot      []error
		state      int
	}{
		{"cancelled", `{"cancelState":1}`, nil, nil, 0},
		{"cancelled as string", `{"cancelState":"1"}`, nil, nil, 0},
		{"late warning", `{"cancelState":2,"errorMssg":"Si cancelas ahora perderás la sesión"}`, []error{ErrLateCancel}, []error{ErrRefused}, 2},
		{"error", `{"cancelState":3}`, []error{ErrRefused}, []error{ErrLateCancel}, 3},
		{"unknown state", `{"cancelState":9,"errorMssg":"?"}`, []error{ErrRefused}, []error{ErrLateCancel}, 9},
		{"logout", `{"logout":1}`, []error{ErrLoggedOut}, []error{ErrRefused}, 0},
		{"HTML", loginPage, []error{ErrUnexpectedAnswer, ErrProtocol}, []error{ErrLoggedOut}, 0},
		{"missing cancelState", `{"ok":true}`, []error{ErrProtocol}, nil, 0},
		{"truncated", `{"cancelSt`, []error{ErrProtocol}, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			f.handle("POST /b/sample-gym/api/cancelBook", replyFunc(tt.body))
			_, err := f.client().Cancel(context.Background(), testCreds(), testBox(t), 1, CancelOptions{})
			if tt.is == nil {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			for _, target := range tt.is {
				if !errors.Is(err, target) {
					t.Errorf("%v does not match %v", err, target)
				}
			}
			for _, target := range tt.isNot {
				if errors.Is(err, target) {
					t.Errorf("%v matches %v", err, target)
				}
			}
			var ce *CancelError
			if tt.state != 0 && (!errors.As(err, &ce) || ce.State != tt.state) {
				t.Errorf("err = %v, want CancelError state %d", err, tt.state)
			}
			if IsRetryable(err) {
				t.Errorf("a cancel must never be retryable blindly")
			}
		})
	}
}

// BenchmarkBookSend compares a prepared send with a full Book: the
// difference is the encoding the firing path avoids.
func BenchmarkBookSend(b *testing.B) {
	srv := newBenchServer(b, `{"bookState":1,"id":"900"}`)
	c, err := New(Config{LoginURL: srv, PortalURL: srv, BoxURLTemplate: srv + "/b/{box}"})
	if err != nil {
		b.Fatal(err)
	}
	box, day, ctx := testBox(b), Date{2026, 10, 27}, context.Background()
	b.Run("prepared", func(b *testing.B) {
		p, err := c.PrepareBook(testCreds(), box, 106015104, day, BookOptions{})
		if err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			if _, _, err := p.Send(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("book", func(b *testing.B) {
		for b.Loop() {
			if _, _, err := c.Book(ctx, testCreds(), box, 106015104, day, BookOptions{}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func newBenchServer(b *testing.B, body string) string {
	srv := httptest.NewServer(replyFunc(body))
	b.Cleanup(srv.Close)
	return srv.URL
}
