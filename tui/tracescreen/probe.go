package tracescreen

// What the root's tests read of the trace, so that its state stays unexported.

// ExchangeCount is the number of exchanges listed.
func (s Model) ExchangeCount() int { return len(s.exchanges) }

// SelectedIndex is the index of the selected exchange in the list.
func (s Model) SelectedIndex() int { return s.sel }

// Following reports whether the selection follows each new exchange.
func (s Model) Following() bool { return s.follow }
