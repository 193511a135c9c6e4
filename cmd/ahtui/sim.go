package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/spf13/cobra"

	"github.com/ahtui/ahtui/aimharder/aimhardertest"
)

type simOptions struct {
	listen      string
	latency     time.Duration
	clockOffset time.Duration
	seed        int64
	faults      []string // --fault knobs (sim_faults.go)
}

func newSimCommand(_ *globalOptions, stdout, stderr io.Writer) *cobra.Command {
	opts := simOptions{}
	cmd := &cobra.Command{
		Use:   "sim",
		Short: "Serve a simulated AimHarder with a demo gym, for trying ahtui without an account",
		Args:  usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runSim(cmd.Context(), opts, stdout, stderr)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.listen, "listen", "127.0.0.1:8088", "address to listen on")
	f.DurationVar(&opts.latency, "latency", 0, "delay added to every request (e.g. 50ms)")
	f.DurationVar(&opts.clockOffset, "clock-offset", 0, "how far the server's clock runs ahead of this machine's (negative: behind)")
	f.Int64Var(&opts.seed, "seed", 1, "seed of the simulated world (same seed, same classes and ids)")
	f.StringArrayVar(&opts.faults, "fault", nil, "misbehave like the real service can, to try ahtui doctor (repeatable):\n"+
		"KIND[@ENDPOINT,…] with KIND one of "+faultKindNames()+"; every request (of those endpoints) is affected")
	return cmd
}

func runSim(ctx context.Context, opts simOptions, stdout, stderr io.Writer) error {
	faults, err := parseFaults(opts.faults)
	if err != nil {
		return usageErrorf("%v", err)
	}
	ln, err := net.Listen("tcp", opts.listen)
	if err != nil {
		return fmt.Errorf("cannot listen on %s: %w", opts.listen, err)
	}
	world := aimhardertest.DemoWorld(time.Now(), opts.seed)
	fake := aimhardertest.New(world, aimhardertest.WithRequestLog(func(r aimhardertest.Request) {
		fmt.Fprintln(stderr, r.String())
	}))
	fake.SetLatency(aimhardertest.Latency{In: opts.latency / 2, Out: opts.latency - opts.latency/2})
	fake.SetClockOffset(opts.clockOffset)
	for _, f := range faults {
		fake.Inject(f.fault)
	}

	urls := fake.URLs("http://" + ln.Addr().String())
	fmt.Fprintf(stdout, "Simulated AimHarder listening on http://%s\n\n", ln.Addr())
	fmt.Fprintf(stdout, "Demo account: %s / %s\n\n", aimhardertest.DemoEmail, aimhardertest.DemoPassword)
	fmt.Fprintln(stdout, "Point ahtui at it (in another shell):")
	fmt.Fprintf(stdout, "export AHTUI_LOGIN_URL=%s\n", urls.Login)
	fmt.Fprintf(stdout, "export AHTUI_PORTAL_URL=%s\n", urls.Portal)
	fmt.Fprintf(stdout, "export AHTUI_BOX_URL=%s\n\n", urls.BoxTemplate)
	printFaults(stdout, faults, opts.clockOffset)
	fmt.Fprintln(stdout, "Press Ctrl-C to stop.")

	srv := &http.Server{Handler: fake, ReadHeaderTimeout: 10 * time.Second}
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()

	select {
	case err := <-serveErr:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := <-serveErr; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
