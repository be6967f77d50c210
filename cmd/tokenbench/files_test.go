package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/tokenbench/tokenbench/flows/demoidp/demoidptest"
)

// TestPrivateFilesNeverFollowLinks: --save-trace onto an existing 0644 file leaves it 0600; onto a
// symbolic link, and --dpop-key naming a dangling link, are refused with a clear message, and
// nothing is written to the links' targets.
func TestPrivateFilesNeverFollowLinks(t *testing.T) {
	t.Parallel()
	p := demoidptest.Start(t)
	dir := t.TempDir()
	args := []string{"token", "--issuer", p.Issuer(), "--grant", "client_credentials", "--client-id", "demo-basic", "--client-secret", demoidptest.Secret(t, p, "demo-basic")}

	existing := filepath.Join(dir, "old.md")
	if err := os.WriteFile(existing, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	wantExit(t, tb(t, append(args, "--save-trace", existing)...), 0, "to "+existing)
	if fi, err := os.Stat(existing); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("the existing trace file ends %v (%v), want 0600", fi.Mode(), err)
	}

	target := filepath.Join(dir, "elsewhere.md")
	link := filepath.Join(dir, "link.md")
	if err := os.Symlink(target, link); err != nil {
		t.Skip("no symbolic links here:", err)
	}
	wantExit(t, tb(t, append(args, "--save-trace", link)...), 0, "the trace was not saved", "is a symbolic link")
	if _, err := os.Lstat(target); !os.IsNotExist(err) {
		t.Errorf("the trace was written through the link to %s", target)
	}

	keyTarget := filepath.Join(dir, "stolen-key.json")
	keyLink := filepath.Join(dir, "dpop-key.json")
	if err := os.Symlink(keyTarget, keyLink); err != nil {
		t.Fatal(err)
	}
	wantExit(t, tb(t, append(args, "--dpop-key", keyLink)...), 1, "is a symbolic link")
	if _, err := os.Lstat(keyTarget); !os.IsNotExist(err) {
		t.Errorf("the private key was written through the dangling link to %s", keyTarget)
	}
}
