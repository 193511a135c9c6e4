package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/ahtui/ahtui/scheduler"
	"github.com/ahtui/ahtui/session"
	"github.com/ahtui/ahtui/session/account"
)

func newLoginCommand(g *globalOptions, stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
	var email string
	var passwordStdin bool
	cmd := &cobra.Command{
		Use:   "login",
		Short: "Log in to AimHarder (the password is used and never stored)",
		Args:  usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			in := bufio.NewReader(stdin)
			tty := terminalFd(stdin)
			if email == "" {
				if tty < 0 {
					return usageErrorf("no terminal to ask for the e-mail: use --email")
				}
				fmt.Fprint(stderr, "E-mail: ")
				line, err := in.ReadString('\n')
				if err != nil && line == "" {
					return usageErrorf("no e-mail given")
				}
				email = strings.TrimSpace(line)
			}
			password, err := readPassword(in, tty, passwordStdin, stderr)
			if err != nil {
				return err
			}
			return g.appCommand(cmd, roleCLI, func(ctx context.Context, a *app) error {
				res, err := a.account.Login(ctx, email, password)
				password = ""
				if err != nil {
					return err
				}
				fmt.Fprintf(stdout, "Logged in as %s (%s).\n", res.Account.Name, res.Account.Email)
				return chooseBox(ctx, a, res, in, tty, stdout, stderr)
			})
		},
	}
	cmd.Flags().StringVar(&email, "email", "", "your AimHarder e-mail")
	cmd.Flags().BoolVar(&passwordStdin, "password-stdin", false, "read the password from standard input")
	return cmd
}

// terminalFd returns the file descriptor of r when it is a terminal, else -1.
func terminalFd(r io.Reader) int {
	if f, ok := r.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		return int(f.Fd())
	}
	return -1
}

// readPassword reads the password without echo from a terminal, or as the
// first line of standard input with --password-stdin.
func readPassword(in *bufio.Reader, tty int, fromStdin bool, stderr io.Writer) (string, error) {
	if fromStdin {
		line, err := in.ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return "", fmt.Errorf("reading the password: %w", err)
		}
		pw := strings.TrimRight(line, "\r\n")
		if pw == "" {
			return "", usageErrorf("no password on standard input")
		}
		return pw, nil
	}
	if tty < 0 {
		return "", usageErrorf("no terminal to ask for the password: use --password-stdin")
	}
	fmt.Fprint(stderr, "Password: ")
	pw, err := term.ReadPassword(tty)
	fmt.Fprintln(stderr)
	if err != nil {
		return "", fmt.Errorf("reading the password: %w", err)
	}
	if len(pw) == 0 {
		return "", usageErrorf("no password given")
	}
	return string(pw), nil
}

// chooseBox tells which box is current, or lets the member pick one when
// the account has several and none is chosen.
func chooseBox(ctx context.Context, a *app, res account.LoginResult, in *bufio.Reader, tty int, stdout, stderr io.Writer) error {
	if res.HasCurrent {
		fmt.Fprintf(stdout, "Box: %s (%s).\n", res.Current.Name, res.Current.Subdomain)
		return nil
	}
	if len(res.Boxes) == 0 {
		fmt.Fprintln(stdout, "Your account is not a member of any box.")
		return nil
	}
	fmt.Fprintln(stdout, "Your boxes:")
	for i, b := range res.Boxes {
		fmt.Fprintf(stdout, "  %d. %s (%s)\n", i+1, b.Name, b.Subdomain)
	}
	if tty < 0 {
		fmt.Fprintln(stdout, "Choose one with `ahtui box use <box>`.")
		return nil
	}
	for {
		fmt.Fprintf(stderr, "Which box? [1-%d] ", len(res.Boxes))
		line, err := in.ReadString('\n')
		n, convErr := strconv.Atoi(strings.TrimSpace(line))
		if convErr == nil && n >= 1 && n <= len(res.Boxes) {
			b := res.Boxes[n-1]
			if err := a.store.SetCurrentBox(ctx, b.ID); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "Box: %s (%s).\n", b.Name, b.Subdomain)
			return nil
		}
		if err != nil {
			fmt.Fprintln(stdout, "Choose one later with `ahtui box use <box>`.")
			return nil
		}
	}
}

func newLogoutCommand(g *globalOptions, stdout, stderr io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "logout",
		Short: "Log out and forget the sessions' tokens and cookies",
		Long: "Log out and forget the sessions' tokens and cookies. Pending prebookings stay, but\n" +
			"cannot be booked (and fail if their booking opens) until you log in again: logout says\n" +
			"how many there are, and whether a runner is waiting to fire them.",
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return g.existingCommand(cmd, func(ctx context.Context, a *app) error {
				sessions, err := a.store.Sessions(ctx)
				if err != nil {
					return err
				}
				if len(sessions) == 0 {
					fmt.Fprintln(stdout, "You were not logged in.")
					return nil
				}
				warnings := logoutWarnings(ctx, a)
				if err := a.account.Logout(ctx); err != nil {
					return err
				}
				fmt.Fprintln(stdout, "Logged out.")
				for _, w := range warnings {
					fmt.Fprintln(stderr, "Warning: "+w)
				}
				return nil
			})
		},
	}
}

// logoutWarnings says what stops working at logout: the pending prebookings, which fail if their booking
// opens before the next login, and a runner, which stays but cannot book.
func logoutWarnings(ctx context.Context, a *app) []string {
	var out []string
	pending, err := a.store.Prebookings(ctx, session.PrebookingQuery{
		Statuses: []session.PrebookingStatus{session.PrebookPending, session.PrebookFiring}})
	if err != nil {
		a.log.Warn("could not count the pending prebookings at logout", "err", err)
	}
	if n := len(pending); n > 0 {
		p := a.zones(ctx).Prebooking(pending[0])
		what := plural(n, "pending prebooking", "pending prebookings")
		out = append(out, fmt.Sprintf("%d %s (next: %s on %s at %s) will fail if booking opens before you log in "+
			"again with `ahtui login`.", n, what, p.ClassName, p.Day, p.ClassStart.Format("15:04")))
	}
	now := a.account.Now()
	if lease, err := a.store.CurrentRunnerLease(ctx, scheduler.RunnerLeaseName); err == nil && lease.Live(now) {
		out = append(out, fmt.Sprintf("the runner (pid %d on %s) keeps running, but it cannot book anything "+
			"for you until you log in again.", lease.PID, lease.Host))
	}
	return out
}
