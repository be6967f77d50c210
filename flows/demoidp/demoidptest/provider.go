package demoidptest

import (
	"testing"
	"time"

	"github.com/tokenbench/tokenbench/flows/demoidp"
)

// Start runs a provider on 127.0.0.1 for the test, with the named faults on (see demoidp.FaultNames)
// and a device-flow polling interval of one second, so that device tests do not wait five. It is
// closed when the test ends.
func Start(t testing.TB, faults ...string) *demoidp.Provider {
	t.Helper()
	return StartWith(t, demoidp.Options{DeviceInterval: time.Second}, faults...)
}

// StartWith is Start with opts as given (their zero values are demoidp's defaults).
func StartWith(t testing.TB, opts demoidp.Options, faults ...string) *demoidp.Provider {
	t.Helper()
	p, err := demoidp.Start(opts)
	if err != nil {
		t.Fatalf("starting the demo provider: %v", err)
	}
	t.Cleanup(func() {
		if err := p.Close(); err != nil {
			t.Errorf("closing the demo provider: %v", err)
		}
	})
	SetFaults(t, p, faults...)
	return p
}

// SetFaults replaces the provider's faults with the named ones ("expired-code", "clock-skew=90s" …);
// none turns every fault off. An unknown name fails the test.
func SetFaults(t testing.TB, p *demoidp.Provider, faults ...string) {
	t.Helper()
	var f demoidp.Faults
	for _, name := range faults {
		if err := f.Set(name); err != nil {
			t.Fatal(err)
		}
	}
	p.SetFaults(f)
}
