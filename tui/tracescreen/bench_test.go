package tracescreen

import (
	"fmt"
	"testing"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/tui/internal/tuitest"
	"github.com/tokenbench/tokenbench/tui/ui"
)

// BenchmarkTraceAppend is one exchange recorded and delivered to the trace screen (Update, then
// View) while the trace holds about 10 and about 10,000 exchanges: the costs must be the same.
func BenchmarkTraceAppend(b *testing.B) {
	for _, held := range []int{10, 10_000} {
		b.Run(fmt.Sprintf("held=%d", held), func(b *testing.B) {
			xs := tuitest.FixedTraceExchanges()
			var tr *flows.Trace
			var s ui.Screen
			n := 0 // exchanges in tr
			fill := func() {
				tr = &flows.Trace{}
				for i := range held {
					tr.Record(xs[i%len(xs)])
				}
				s = tuitest.Sized(New(traceCommon(tr)), 100, 40)
				n = held
			}
			fill()
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if n >= 2*held { // keep the trace between held and twice as many
					b.StopTimer()
					fill()
					b.StartTimer()
				}
				tr.Record(xs[i%len(xs)])
				n++
				x := *tr.Exchanges()[n-1]
				s, _ = s.Update(ui.ExchangeRecordedMsg{Exchange: x})
				_ = s.View()
				i++
			}
		})
	}
}
