package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"text/tabwriter"

	"go.yaml.in/yaml/v3"
)

// Benchmarks of the command line against the plain work it does: `tokenbench profile list` on a
// file of 5,000 profiles, and decoding the same YAML and printing it as a table. `.ci/bench` runs
// both in one process and prints their ratio.

// manyProfiles writes a profile file of n profiles, a third on each of two presets and a third on
// an issuer of their own, and returns its configuration directory.
func manyProfiles(b *testing.B, n int) string {
	b.Helper()
	dir := b.TempDir()
	var sb strings.Builder
	sb.WriteString("version: 1\nprofiles:\n")
	for i := range n {
		fmt.Fprintf(&sb, "  - name: p%05d\n", i)
		switch i % 3 {
		case 0:
			fmt.Fprintf(&sb, "    preset: okta\n    params:\n      domain: tenant%d.okta.com\n", i)
		case 1:
			fmt.Fprintf(&sb, "    preset: keycloak\n    params:\n      host: sso%d.example.com\n      realm: realm%d\n", i, i)
		default:
			fmt.Fprintf(&sb, "    issuer: https://idp%d.example.com\n", i)
		}
		fmt.Fprintf(&sb, "    client_id: client-%d\n    client_secret: env:SECRET_%d\n", i, i)
	}
	if err := os.WriteFile(filepath.Join(dir, "profiles.yaml"), []byte(sb.String()), 0o600); err != nil {
		b.Fatal(err)
	}
	return dir
}

// BenchmarkProfileList is `tokenbench profile list` on 5,000 profiles.
func BenchmarkProfileList(b *testing.B) {
	dir := manyProfiles(b, 5000)
	e := &env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard,
		getenv: func(k string) string {
			if k == "TOKENBENCH_CONFIG_HOME" {
				return dir
			}
			return ""
		}}
	b.ReportAllocs()
	for b.Loop() {
		if code := run(context.Background(), e, []string{"profile", "list"}); code != 0 {
			b.Fatalf("exit %d", code)
		}
	}
}

// BenchmarkProfileListYAMLBaseline decodes the same file into plain maps and prints the same
// columns: the least a profile list can cost.
func BenchmarkProfileListYAMLBaseline(b *testing.B) {
	path := filepath.Join(manyProfiles(b, 5000), "profiles.yaml")
	b.ReportAllocs()
	for b.Loop() {
		data, err := os.ReadFile(path)
		if err != nil {
			b.Fatal(err)
		}
		var doc struct {
			Profiles []map[string]any `yaml:"profiles"`
		}
		if err := yaml.Unmarshal(data, &doc); err != nil {
			b.Fatal(err)
		}
		tw := tabwriter.NewWriter(io.Discard, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tPRESET\tISSUER\tCLIENT ID\tSECRET")
		for _, p := range doc.Profiles {
			fmt.Fprintf(tw, "%v\t%v\t%v\t%v\t%v\n", p["name"], p["preset"], p["issuer"], p["client_id"], p["client_secret"])
		}
		tw.Flush()
	}
}
