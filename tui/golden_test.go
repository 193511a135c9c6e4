package tui

import (
	"testing"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/ahtui/ahtui/tui/i18n"
)

func TestGoldenWeek80x24(t *testing.T) {
	e := newEnv(t, 80, 24, i18n.EN)
	golden.RequireEqual(t, []byte(e.screen()))
}

func TestGoldenWeek160x48(t *testing.T) {
	e := newEnv(t, 160, 48, i18n.EN)
	golden.RequireEqual(t, []byte(e.screen()))
}
