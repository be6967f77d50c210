package demoidp

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"syscall"
	"time"
)

// loopbackClient is the provider's one HTTP client for calls it makes itself (CIBA notifications, a
// request_uri's request object): it connects only to loopback addresses, checked on the address
// dialled, so a name that resolves elsewhere (DNS rebinding) is refused too; it follows no
// redirects and gives up after 10 seconds.
var loopbackClient = &http.Client{
	Timeout: 10 * time.Second,
	Transport: &http.Transport{
		Proxy: nil,
		DialContext: (&net.Dialer{Timeout: 5 * time.Second, Control: func(_, address string, _ syscall.RawConn) error {
			host, _, err := net.SplitHostPort(address)
			if err != nil {
				return err
			}
			if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
				return fmt.Errorf("the demo provider connects only to loopback addresses, not %s", host)
			}
			return nil
		}}).DialContext,
	},
	CheckRedirect: func(*http.Request, []*http.Request) error {
		return errors.New("the demo provider follows no redirects on its own calls")
	},
}
