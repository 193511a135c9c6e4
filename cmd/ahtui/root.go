package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/session"
)

// globalOptions are the flags every subcommand shares.
type globalOptions struct {
	dbPath    string
	loginURL  string
	portalURL string
	boxURL    string
	demo      bool
	debug     bool

	// now is the clock every command reads (time.Now; tests fix it).
	now func() time.Time
	// busyTimeout, when set, replaces the database's busy timeout
	// (session.DefaultBusyTimeout): tests that lock the database shorten it.
	busyTimeout time.Duration
}

// envOr returns the environment variable's value, or def when it is unset.
func envOr(name, def string) string {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		return v
	}
	return def
}

// databasePath is --db (or AHTUI_DB), else the default path.
func (g *globalOptions) databasePath() (string, error) {
	if g.dbPath != "" {
		return g.dbPath, nil
	}
	return session.DefaultPath()
}

// clientConfig is the AimHarder client configuration the flags select.
func (g *globalOptions) clientConfig() aimharder.Config {
	cfg := aimharder.DefaultConfig()
	cfg.LoginURL = g.loginURL
	cfg.PortalURL = g.portalURL
	cfg.BoxURLTemplate = g.boxURL
	return cfg
}

func newRootCommand(stdin io.Reader, stdout, stderr io.Writer, now func() time.Time) *cobra.Command {
	return newRootCommandWith(stdin, stdout, stderr, &globalOptions{now: now})
}

// newRootCommandWith is newRootCommand over opts, which the flags fill in.
func newRootCommandWith(stdin io.Reader, stdout, stderr io.Writer, opts *globalOptions) *cobra.Command {
	if opts.now == nil {
		opts.now = time.Now
	}
	defaults := aimharder.DefaultConfig()
	root := &cobra.Command{
		Use:   "ahtui",
		Short: "Book AimHarder classes from the terminal",
		Long: "ahtui shows your box's week of classes, books and cancels with one key,\n" +
			"and fires prebookings the instant a class's booking window opens.",
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runTUI(cmd, opts, stdin, stdout)
		},
	}
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageErrorf("%v", err) })

	pf := root.PersistentFlags()
	pf.StringVar(&opts.dbPath, "db", envOr("AHTUI_DB", ""), "database file (env AHTUI_DB; default $XDG_DATA_HOME/ahtui/ahtui.db)")
	pf.StringVar(&opts.loginURL, "login-url", envOr("AHTUI_LOGIN_URL", defaults.LoginURL), "AimHarder login base URL (env AHTUI_LOGIN_URL)")
	pf.StringVar(&opts.portalURL, "portal-url", envOr("AHTUI_PORTAL_URL", defaults.PortalURL), "AimHarder portal base URL (env AHTUI_PORTAL_URL)")
	pf.StringVar(&opts.boxURL, "box-url", envOr("AHTUI_BOX_URL", defaults.BoxURLTemplate), "box URL template with {box} (env AHTUI_BOX_URL)")
	pf.BoolVar(&opts.debug, "debug", false, "verbose logs")
	root.Flags().BoolVar(&opts.demo, "demo", false, "run against a built-in simulated gym: no account or network needed")

	root.AddCommand(
		newLoginCommand(opts, stdin, stdout, stderr),
		newLogoutCommand(opts, stdout, stderr),
		newStatusCommand(opts, stdout),
		newBoxesCommand(opts, stdout),
		newBoxCommand(opts, stdout),
		newClassesCommand(opts, stdout),
		newBookCommand(opts, stdout),
		newCancelCommand(opts, stdout),
		newConfigCommand(opts, stdout),
		newFamilyCommand(opts, stdout),
		newSimCommand(opts, stdout, stderr),
		newPrebookCommand(opts, stdout),
		newPlanCommand(opts, stdout),
		newCalendarCommand(opts, stdout),
		newWatchCommand(opts, stdout),
		newRunCommand(opts, stderr),
		newDoctorCommand(opts, stdin, stdout, stderr),
		newServeCommand(opts, stderr),
	)
	return root
}

// run executes the command line and returns the process exit status.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return runAt(ctx, time.Now, args, stdin, stdout, stderr)
}

// runAt is run with the clock the commands read.
func runAt(ctx context.Context, now func() time.Time, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return execute(ctx, newRootCommand(stdin, stdout, stderr, now), args, stderr)
}

// execute runs root with args, prints its error and returns the exit status.
func execute(ctx context.Context, root *cobra.Command, args []string, stderr io.Writer) int {
	root.SetArgs(args)
	cmd, err := root.ExecuteContextC(ctx)
	if err != nil {
		code := exitCode(err)
		fmt.Fprintf(stderr, "ahtui: %s\n", escapeControls(err.Error()))
		if code == exitUsage && cmd != nil {
			fmt.Fprintf(stderr, "Run '%s --help' for usage.\n", cmd.CommandPath())
		}
		return code
	}
	return exitOK
}

// usageArgs makes an argument check's failure a usage error (exit 2).
func usageArgs(check cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := check(cmd, args); err != nil {
			return &exitError{code: exitUsage, err: err}
		}
		return nil
	}
}

// escapeControls writes control characters other than newlines as Go
// escapes: error texts quote what the member typed (pflag does not) and
// what AimHarder said, and neither may drive the terminal.
func escapeControls(s string) string {
	if !strings.ContainsFunc(s, isEscaped) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if isEscaped(r) {
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// isEscaped: what aimharder.Unprintable says must not reach a terminal,
// newlines apart.
func isEscaped(r rune) bool { return r != '\n' && aimharder.Unprintable(r) }
