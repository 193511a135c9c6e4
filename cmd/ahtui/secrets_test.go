package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ahtui/ahtui/session"
)

// TestSecretsAudit runs a whole session — login, browse, book, prebook, a
// fire by `ahtui run`, logout — with debug logs, and checks that the
// password, every token and every cookie value the sessions ever held
// appear in no output, no log, and nowhere in the database after logout.
func TestSecretsAudit(t *testing.T) {
	const offset = 300 * time.Millisecond // the server's clock runs ahead
	e, clock, ahtui := newLiveEnv(t, testWorld(), offset)
	day := testToday.AddDays(4)
	opening := day.At(18, 0, madridLocation(t)).AddDate(0, 0, -4)
	clock.set(opening.Add(-offset - 5*time.Second)) // the prebooking opens 5 s from now

	secrets := map[string]bool{testPassword: true}
	collect := func() {
		store, err := session.Open(context.Background(), e.db)
		if err != nil {
			t.Fatal(err)
		}
		defer store.Close()
		for _, kind := range session.Kinds {
			s, err := store.Session(context.Background(), kind)
			if err != nil {
				continue
			}
			secrets[s.Credentials.Token] = true
			for _, v := range s.Credentials.Cookies {
				secrets[v] = true
			}
		}
	}
	var outputs []string
	step := func(args ...string) result {
		t.Helper()
		r := ahtui(append(args, "--debug")...)
		if r.code != exitOK {
			t.Fatalf("ahtui %v: %v", args, r)
		}
		outputs = append(outputs, r.stdout, r.stderr)
		collect()
		return r
	}

	step("login", "--email", testEmail, "--password-stdin")
	step("box", "use", testBox)
	step("config", "box."+testBox+".window", "4d")
	step("status", "--json")
	step("boxes", "--json")
	step("classes", "--week", "--json")
	tomorrow := e.classAt(testBox, testToday.AddDays(1), "18:00")
	step("book", strconv.FormatInt(tomorrow.ID, 10), "--day", testToday.AddDays(1).String())
	later := e.classAt(testBox, day, "18:00")
	step("prebook", "add", strconv.FormatInt(later.ID, 10), "--day", day.String())
	step("prebook", "list", "--json")

	ctx, cancel := context.WithCancel(t.Context())
	var runErr lockedBuffer
	done := make(chan int, 1)
	go func() {
		args := []string{"--debug", "--db", e.db, "--login-url", e.urls.Login, "--portal-url", e.urls.Portal, "--box-url", e.urls.BoxTemplate, "run"}
		done <- runAt(ctx, clock.Now, args, strings.NewReader(""), &bytes.Buffer{}, &runErr)
	}()
	waitUntil(t, "the prebooking's outcome", func() bool { return strings.Contains(runErr.String(), ": booked") })
	cancel()
	if code := <-done; code != exitOK {
		t.Fatalf("run exited %d:\n%s", code, runErr.String())
	}
	outputs = append(outputs, runErr.String())
	collect()
	step("status", "--json")
	step("cancel", strconv.FormatInt(tomorrow.ID, 10), "--day", testToday.AddDays(1).String())
	step("logout")

	delete(secrets, "")
	if len(secrets) < 5 {
		t.Fatalf("only %d secrets collected: the audit would prove little", len(secrets))
	}
	files, _ := filepath.Glob(e.db + "*")
	logs, _ := filepath.Glob(filepath.Join(os.Getenv("XDG_STATE_HOME"), "ahtui", "*"))
	if len(logs) == 0 {
		t.Fatal("no log file was written")
	}
	places := map[string]string{}
	for i, o := range outputs {
		places["output "+strconv.Itoa(i)] = o
	}
	for _, f := range append(files, logs...) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		places[f] = string(b)
	}
	for where, text := range places {
		for secret := range secrets {
			if strings.Contains(text, secret) {
				kind := "a token or cookie"
				if secret == testPassword {
					kind = "the password"
				}
				t.Errorf("%s holds %s", where, kind)
			}
		}
	}
	if !strings.Contains(places[logs[0]], "level=DEBUG") {
		t.Error("the log has no debug lines: --debug did not reach it")
	}
}
