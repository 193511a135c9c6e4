package doctor

import (
	"context"
	"fmt"
	"time"

	"github.com/ahtui/ahtui/aimharder"
	"github.com/ahtui/ahtui/scheduler"
)

// checkClock reports how far AimHarder's clock is from this machine's.
func (d *Doctor) checkClock(ctx context.Context, ref aimharder.BoxRef) {
	title := "Clock: AimHarder's against this machine's"
	// A few pings placed around the server's second boundaries, added to
	// what every answer so far said.
	_, perr := d.est.Probe(ctx, d.client, ref, 20*time.Millisecond, time.Now().Add(d.cfg.ClockProbe))
	est, ok := d.est.Estimate()
	if !ok {
		detail := []string{"no answer carried a date"}
		if perr != nil {
			detail = []string{redactURLError(perr)}
		}
		d.emit(checkWarn, title, detail, "the offset could not be measured: ahtui measures it again before each prebooking")
		return
	}
	detail := []string{"offset " + est.String() + " (positive: AimHarder's clock is ahead of this machine's)"}
	off := est.Offset
	if off < 0 {
		off = -off
	}
	switch {
	case est.Broken():
		d.emit(checkFail, title, detail, fmt.Sprintf("the clocks differ by more than %d minutes: ahtui does not believe such a "+
			"difference and fires prebookings by this machine's clock, that much too early or too late. Set this "+
			"machine's clock (turn on automatic time / NTP, e.g. `timedatectl set-ntp true`)", int(scheduler.MaxSaneOffset.Minutes())))
	case off >= clockWarnOffset:
		d.emit(checkWarn, title, detail, "this machine's clock is off by minutes: ahtui corrects for it when firing, "+
			"but a clock this far off usually means automatic time (NTP) is not running")
	default:
		d.emit(checkOK, title, detail, "")
	}
}
