package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/tokenbench/tokenbench/flows"
)

// callOptions are the flags of call: the shared client flags (of which an API call needs only a
// profile or the transport ones), DPoP, the token, the body and more headers.
type callOptions struct {
	client  clientFlags
	dpop    dpopFlags
	token   string
	data    string
	headers []string
}

func newCallCmd(e *env) *cobra.Command {
	o := &callOptions{}
	o.client.noClientAuth = true
	cmd := &cobra.Command{
		Use:   "call [METHOD] URL --access-token TOKEN",
		Short: "Call a protected resource (any API) with an access token",
		Long: `Call a protected resource, any API, with an access token, and print its answer on stdout
(JSON pretty-printed, with \uXXXX escapes for what a terminal would act on; anything else as
received, or with visible escapes on a terminal); the status of each request is on stderr.

The token is sent as Authorization: Bearer (RFC 6750 §2.1). With --dpop-key it is sent as
Authorization: DPoP with a proof for this method and URL carrying the token's hash (RFC 9449 §7),
and a use_dpop_nonce challenge is retried once with the server's DPoP-Nonce. With --client-cert
the certificate is presented over TLS, for certificate-bound tokens (RFC 8705 §3).

METHOD is GET, or POST with --data. No provider is needed; --profile lends its TLS settings and
client certificate. The exit status is 1 when the token is refused (the reason is read from
WWW-Authenticate, RFC 6750 §3) or the answer is HTTP 400 or above.

The built-in provider (tokenbench demo --serve) has such an API at {issuer}/api/whoami.`,
		Example: `  tokenbench call https://api.acme.test/v1/me --access-token @token.txt
  tokenbench call POST https://api.acme.test/v1/orders --access-token @token.txt --data @order.json -H 'Idempotency-Key: 42'
  tokenbench call http://127.0.0.1:9000/api/whoami --access-token @token.txt --dpop-key dpop.json -v`,
		Args: usageArgs(cobra.RangeArgs(1, 2)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return o.run(cmd, e, args)
		},
	}
	fs := cmd.Flags()
	o.client.register(fs)
	o.dpop.register(fs, false)
	fs.StringVar(&o.token, "access-token", "", "the access token; @FILE reads it from a file, - from stdin")
	fs.StringVarP(&o.data, "data", "d", "", "the request body; @FILE reads it from a file. Its Content-Type is application/json when it is JSON, else application/x-www-form-urlencoded, unless --header gives one")
	fs.StringArrayVarP(&o.headers, "header", "H", nil, "a request header, 'Name: value' (repeatable)")
	return cmd
}

func (o *callOptions) run(cmd *cobra.Command, e *env, args []string) error {
	ctx := cmd.Context()
	fs := cmd.Flags()
	call, err := o.request(ctx, e, fs, args)
	if err != nil {
		return err
	}
	c, err := o.newClient(ctx, e, fs)
	if err != nil {
		return err
	}
	if err := o.dpop.apply(e, c); err != nil {
		return err
	}
	trace := o.client.trace.printer(e)
	res, err := c.CallAPI(ctx, call)
	trace.flush(c.Trace)
	summarizeCalls(e.stderr, c.Trace)
	if err != nil {
		return err
	}
	if res.Members != nil {
		e.writeBody([]byte(indentJSON(res.Body)))
	} else if len(res.Body) > 0 {
		e.writeBody(res.Body)
	}
	if res.Status >= http.StatusBadRequest {
		return &flows.Error{Kind: flows.KindUnexpectedStatus, Detail: fmt.Sprintf("the resource server answered HTTP %d %s; its body is on stdout", res.Status, http.StatusText(res.Status))}
	}
	return nil
}

// newClient builds the client of an API call: from the profile or provider flags when given,
// else from the transport flags alone, since calling an API needs no provider.
func (o *callOptions) newClient(ctx context.Context, e *env, fs *pflag.FlagSet) (*flows.Client, error) {
	f := &o.client
	if f.profile != "" || f.provider.issuer != "" || f.provider.given() != (flows.Endpoints{}) {
		return f.newClient(ctx, e, fs, nil)
	}
	opts, err := f.transport.options(e)
	if err != nil {
		return nil, err
	}
	c, err := flows.NewClient(flows.ClientConfig{}, opts)
	if err != nil {
		return nil, usagef("%v", err)
	}
	return c, nil
}

// request reads the arguments and flags into the call.
func (o *callOptions) request(ctx context.Context, e *env, fs *pflag.FlagSet, args []string) (flows.APICall, error) {
	var call flows.APICall
	call.URL = args[len(args)-1]
	if len(args) == 2 {
		call.Method = strings.ToUpper(args[0])
		if strings.Trim(call.Method, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
			return call, usagef("%q is not an HTTP method; give [METHOD] URL, such as GET or POST", args[0])
		}
	}
	if u, err := url.Parse(call.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return call, usagef("%q is not an absolute http or https URL", call.URL)
	}
	token, err := o.accessToken(ctx, e)
	if err != nil {
		return call, err
	}
	call.AccessToken = token
	if call.Header, err = parseHeaders(o.headers); err != nil {
		return call, err
	}
	if fs.Changed("data") {
		if call.Body, err = readAtFile("data", o.data); err != nil {
			return call, err
		}
		if call.Header.Get("Content-Type") == "" {
			call.ContentType = flows.BodyType(call.Body)
		}
	}
	return call, nil
}

// accessToken reads --access-token: the token, @FILE, or - for stdin.
func (o *callOptions) accessToken(ctx context.Context, e *env) (string, error) {
	var token string
	switch {
	case o.token == "-":
		t, err := e.readAll(ctx)
		if err != nil {
			return "", err
		}
		token = t
	default:
		b, err := readAtFile("access-token", o.token)
		if err != nil {
			return "", err
		}
		token = strings.TrimSpace(string(b))
	}
	if token == "" {
		return "", usagef("no access token: give --access-token TOKEN, @FILE or - (stdin)")
	}
	return token, nil
}

// readAtFile is a flag's value, or the content of the file it names as @FILE.
func readAtFile(flag, v string) ([]byte, error) {
	path, ok := strings.CutPrefix(v, "@")
	if !ok {
		return []byte(v), nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, usagef("--%s: %v", flag, err)
	}
	return b, nil
}

// parseHeaders reads the --header values 'Name: value' (flows.ParseAPIHeaders).
func parseHeaders(values []string) (http.Header, error) {
	h, err := flows.ParseAPIHeaders(values)
	if err != nil {
		return nil, usagef("--header %v", err)
	}
	return h, nil
}

// summarizeCalls prints one line per resource request of the trace: method, URL (secrets masked)
// and scheme, then the status, type, size and time of the answer, with the challenge of a refusal
// and the Location of a redirect. A second request is the DPoP-Nonce retry (RFC 9449 §9).
func summarizeCalls(w io.Writer, trace *flows.Trace) {
	n := 0
	for _, recorded := range trace.Exchanges() {
		if recorded.Step != "resource" {
			continue
		}
		if n++; n > 1 {
			fmt.Fprint(w, "retried with the server's DPoP-Nonce (RFC 9449 §9): ")
		}
		x := recorded.Redact()
		scheme, _, _ := strings.Cut(x.RequestHeader.Get("Authorization"), " ")
		fmt.Fprintf(w, "%s %s (%s) → ", x.Method, x.URL, scheme)
		if x.Err != "" {
			fmt.Fprintf(w, "%s\n", x.Err)
			continue
		}
		fmt.Fprintf(w, "HTTP %d %s", x.Status, http.StatusText(x.Status))
		if ct := x.ResponseHeader.Get("Content-Type"); ct != "" {
			fmt.Fprintf(w, ", %s", ct)
		}
		fmt.Fprintf(w, ", %d bytes, %s\n", len(x.ResponseBody), x.Duration.Round(time.Millisecond))
		for _, name := range []string{"WWW-Authenticate", "DPoP-Nonce", "Location"} {
			if v := x.ResponseHeader.Get(name); v != "" {
				fmt.Fprintf(w, "  %s: %s\n", name, v)
			}
		}
	}
}
