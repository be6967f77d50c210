package main

import (
	"crypto/tls"
	"fmt"
	"os"
	"path/filepath"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/flows/demoidp"
)

// loadClientCertificate reads --client-cert and --client-key into the transport options.
func (f *transportFlags) loadClientCertificate(opts *flows.TransportOptions) error {
	switch {
	case f.clientCert == "" && f.clientKey == "":
		return nil
	case f.clientCert == "":
		return usagef("--client-key needs --client-cert")
	case f.clientKey == "":
		return usagef("--client-cert needs --client-key, the certificate's private key")
	}
	cert, err := tls.LoadX509KeyPair(f.clientCert, f.clientKey)
	if err != nil {
		return usagef("--client-cert %s with --client-key %s: %v", f.clientCert, f.clientKey, err)
	}
	opts.ClientCertificates = []tls.Certificate{cert}
	return nil
}

// reportMTLS prints the certificate binding check of a token response (RFC 8705 §3.1) when the
// client presented a certificate, and its explanation when it failed; it reports whether it passed
// or was skipped.
func reportMTLS(e *env, c *flows.Client, t *flows.Token) bool {
	checks := c.MTLSChecks(t)
	if len(checks) == 0 {
		return true
	}
	printChecks(e.stderr, "certificate binding checks (mutual TLS)", checks)
	for _, ch := range checks {
		if ch.Status == flows.CheckFail {
			explainFailedChecks(e.stderr, checks)
			return false
		}
	}
	return true
}

// startDemoMTLS starts the built-in provider with faults and its mutual TLS listener.
func startDemoMTLS(addr string, faults demoidp.Faults) (*demoidp.Provider, error) {
	p, err := demoidp.Start(demoidp.Options{Addr: addr, MTLS: &demoidp.MTLSOptions{}})
	if err != nil {
		return nil, err
	}
	p.SetFaults(faults)
	return p, nil
}

// describeMTLS writes the mutual TLS demo clients' certificates and keys, and the CA of the
// provider's TLS listener, into a new private temporary directory (files mode 0600), and says on
// stderr where they are and how to use them. It returns the directory, to remove at the end.
func describeMTLS(e *env, p *demoidp.Provider) (string, error) {
	creds := p.MTLSCredentials()
	if len(creds) == 0 {
		return "", nil
	}
	dir, err := os.MkdirTemp("", "tokenbench-demo-mtls-")
	if err != nil {
		return "", err
	}
	write := func(name string, data []byte) (string, error) {
		path := filepath.Join(dir, name)
		return path, os.WriteFile(path, data, 0o600)
	}
	ca, err := write("server-ca.pem", p.MTLSServerCAPEM())
	if err != nil {
		return dir, err
	}
	w := e.stderr
	fmt.Fprintf(w, "\nMutual TLS (RFC 8705) at %s (its mtls_endpoint_aliases; trust its CA with --ca-file %s):\n", p.MTLSBaseURL(), ca)
	for _, c := range creds {
		cert, err := write(c.ClientID+".crt.pem", c.CertPEM)
		if err != nil {
			return dir, err
		}
		key, err := write(c.ClientID+".key.pem", c.KeyPEM)
		if err != nil {
			return dir, err
		}
		method := flows.AuthTLSClient
		if c.ClientID == demoidp.MTLSSelfSignedClientID {
			method = flows.AuthSelfSignedTLSClient
		}
		fmt.Fprintf(w, "  %s (%s): --client-cert %s --client-key %s\n", c.ClientID, method, cert, key)
		fmt.Fprintf(w, "    tokenbench token --issuer %s --client-id %s --auth-method %s --grant client_credentials --client-cert %s --client-key %s --ca-file %s\n", p.Issuer(), c.ClientID, method, cert, key, ca)
	}
	return dir, nil
}
