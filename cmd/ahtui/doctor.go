package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ahtui/ahtui/cmd/ahtui/internal/doctor"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/outcome"
)

// `ahtui doctor`: the flags, the password, and the database's current box;
// the checks and the report are package doctor's.

type doctorOptions struct {
	email         string
	passwordStdin bool
	logout        bool
	clockProbe    time.Duration // how long to measure AimHarder's clock
}

func newDoctorCommand(g *globalOptions, stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
	opts := doctorOptions{}
	cmd := &cobra.Command{
		Use:   "doctor",
		Short: "Check the connection to AimHarder and print a report to share",
		Long: "Checks the configured AimHarder endpoints: name resolution, connection and TLS, whether\n" +
			"AimHarder refuses connections from this network (403: it refuses some networks), a login,\n" +
			"who you are and one day of classes (reporting fields ahtui does not know or misses), and\n" +
			"how far this machine's clock is from AimHarder's.\n\n" +
			"The login it asks for is used for this check only: it is not stored, and it is left to\n" +
			"expire by itself unless you pass --logout (AimHarder's logout may end your other sessions\n" +
			"too). The report holds no password, token, cookie, e-mail name or member names, so you\n" +
			"can paste it into a bug report. Exit status 0 when every check passes, 1 otherwise.",
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runDoctor(cmd.Context(), g, opts, stdin, stdout, stderr)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.email, "email", "", "your AimHarder e-mail (asked when not given)")
	f.BoolVar(&opts.passwordStdin, "password-stdin", false, "read the password from standard input")
	f.BoolVar(&opts.logout, "logout", false, "log the test session out at the end (AimHarder may end your other sessions too)")
	f.DurationVar(&opts.clockProbe, "clock-probe", 3*time.Second, "how long to measure AimHarder's clock")
	_ = f.MarkHidden("clock-probe")
	return cmd
}

func runDoctor(ctx context.Context, g *globalOptions, opts doctorOptions, stdin io.Reader, stdout, stderr io.Writer) error {
	in := bufio.NewReader(stdin)
	tty := terminalFd(stdin)
	email := strings.TrimSpace(opts.email)
	if email == "" {
		if tty < 0 {
			return usageErrorf("no terminal to ask for the e-mail: use --email")
		}
		fmt.Fprint(stderr, "E-mail (for a test login, not stored): ")
		line, err := in.ReadString('\n')
		if err != nil && line == "" {
			return usageErrorf("no e-mail given")
		}
		email = strings.TrimSpace(line)
	}
	password, err := readPassword(in, tty, opts.passwordStdin, stderr)
	if err != nil {
		return err
	}
	logger, closer, err := openLog(g.debug)
	if err != nil {
		return err
	}
	defer closer.Close()
	d, err := doctor.New(doctor.Config{
		Client:     g.clientConfig(),
		Email:      email,
		Password:   password,
		CurrentBox: doctorCurrentBox(ctx, g, logger),
		Logout:     opts.logout,
		ClockProbe: opts.clockProbe,
		Now:        g.now,
		Logger:     logger,
		Out:        stdout,
	})
	if err != nil {
		return usageErrorf("%v", err)
	}
	problems := d.Run(ctx).Problems
	if problems > 0 {
		return &exitError{code: exitFailed, err: fmt.Errorf("doctor found %d %s: see the report above", problems, plural(problems, "problem", "problems"))}
	}
	return nil
}

// plural picks the word for n things.
func plural(n int, one, many string) string { return outcome.Plural(n, one, many) }

// doctorCurrentBox reads the current box from the database, if there is
// one; doctor never creates a database.
func doctorCurrentBox(ctx context.Context, g *globalOptions, logger *slog.Logger) *doctor.Box {
	path, err := g.databasePath()
	if err != nil {
		return nil
	}
	if _, err := os.Stat(path); err != nil {
		return nil
	}
	store, err := session.Open(ctx, path, session.WithClock(g.now))
	if err != nil {
		logger.Info("doctor: cannot open the database", "err", err)
		return nil
	}
	defer store.Close()
	box, err := store.CurrentBox(ctx)
	if err != nil {
		return nil
	}
	rule := box.Rule()
	return &doctor.Box{ID: box.ID, Subdomain: box.Subdomain, Timezone: box.Timezone,
		TimezoneSource: string(box.TimezoneSource()), TimezoneClue: box.TimezoneClue,
		WindowNote: rule.HoursNote(), Window: rule.String(), WindowAssumed: rule.Assumed(), Domain: box.Domain}
}
