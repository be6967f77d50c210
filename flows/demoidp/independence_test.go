package demoidp_test

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The provider is an independent reading of the RFCs, the check on the client: if it or its test
// helper imported the client (package flows, or profiles or the TUI above it), a misreading in the
// client would be checked against itself. Only these packages of the module may be imported, by
// the provider, its helper and their tests, directly or through each other.
const module = "github.com/tokenbench/tokenbench"

var independentPackages = map[string]string{ // import path → folder, relative to this one
	module + "/flows/demoidp":             ".",
	module + "/flows/demoidp/demoidptest": "demoidptest",
	module + "/flows/demoidp/vendorsim":   "vendorsim",
	module + "/assets":                    filepath.Join("..", "..", "assets"),
}

func TestProviderIsIndependent(t *testing.T) {
	fset := token.NewFileSet()
	for pkg, dir := range independentPackages {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil || len(files) == 0 {
			t.Fatalf("no Go files for %s in %s: %v", pkg, dir, err)
		}
		for _, name := range files {
			f, err := parser.ParseFile(fset, name, nil, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			for _, imp := range f.Imports {
				path, err := strconv.Unquote(imp.Path.Value)
				if err != nil {
					t.Fatal(err)
				}
				if path != module && !strings.HasPrefix(path, module+"/") {
					continue
				}
				if _, ok := independentPackages[path]; !ok {
					t.Errorf("%s imports %s: the provider and its test helper must not depend on the client", name, path)
				}
			}
		}
	}
	// A package added under this folder is checked too, or the test says it is not.
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if goFiles, _ := filepath.Glob(filepath.Join(e.Name(), "*.go")); e.IsDir() && len(goFiles) > 0 {
			if _, ok := independentPackages[module+"/flows/demoidp/"+e.Name()]; !ok {
				t.Errorf("package folder %s is not checked by this test: add it to independentPackages", e.Name())
			}
		}
	}
}
