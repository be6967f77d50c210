package main

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"

	"github.com/spf13/pflag"
	"github.com/tokenbench/tokenbench/flows"
)

// rarFlags are rich authorization requests (RFC 9396) and resource indicators (RFC 8707).
type rarFlags struct {
	detailsFile string
	resources   []string
	// details is the file's authorization_details, checked and compacted by apply.
	details string
}

func (f *rarFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.detailsFile, "authorization-details", "", "a JSON file of authorization_details (RFC 9396): an array of objects, each with a type; sent on the authorization request, on client_credentials and on ciba")
	fs.StringArrayVar(&f.resources, "resource", nil, "a resource indicator (RFC 8707): an absolute URI of the API the token is for (repeatable); sent on the authorization request and the token request")
}

// apply reads the authorization details file and adds the values to the authorization and token
// parameters where the grant sends them: RFC 9396 §3 and §6, RFC 8707 §2.1 and §2.2.
func (f *rarFlags) apply(e *env, grant string, authParams, tokenParams url.Values) error {
	if f.detailsFile != "" {
		if !flows.SendsAuthorizationDetails(grant) {
			return usagef("--authorization-details is sent on --grant authorization_code (the authorization request), client_credentials and ciba only")
		}
		data, err := os.ReadFile(f.detailsFile)
		if err != nil {
			return usagef("--authorization-details: %v", err)
		}
		if f.details, err = flows.ParseAuthorizationDetails(data); err != nil {
			return usagef("--authorization-details %s: %v", f.detailsFile, err)
		}
	}
	for _, r := range f.resources {
		if msg := flows.ResourceProblem(r); msg != "" {
			fmt.Fprintf(e.stderr, "warning: %s; sending it anyway\n", msg)
		}
	}
	return f.extras().Apply(grant, authParams, tokenParams)
}

// extras are the flags' resources and authorization details.
func (f *rarFlags) extras() flows.RequestExtras {
	return flows.RequestExtras{Resources: f.resources, AuthorizationDetails: f.details}
}

// cibaParams are the resources and details of a backchannel authentication request.
func (f *rarFlags) cibaParams() url.Values { return f.extras().BackchannelParams() }

// reportAuthorizationDetails prints the authorization_details of a token response on stderr (RFC
// 9396 §7), and says so when some were asked for and none came back.
func (f *rarFlags) reportAuthorizationDetails(e *env, t *flows.Token) {
	d := t.AuthorizationDetails()
	if d == nil {
		if f.details != "" {
			fmt.Fprintln(e.stderr, "note: authorization_details were requested, but the token response has none (RFC 9396 §7)")
		}
		return
	}
	b, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		fmt.Fprintf(e.stderr, "authorization_details: %v\n", d)
		return
	}
	fmt.Fprintf(e.stderr, "authorization_details granted (RFC 9396 §7):\n%s\n", b)
}
