package exposure

import (
	"bufio"
	"bytes"
	_ "embed"
	"fmt"
	"io"
	"strings"

	"github.com/ceplus/ceplus/shared/calendar"
)

var (
	//go:embed data/products.txt
	productsData []byte
	//go:embed data/eol.txt
	eolData []byte
	//go:embed data/distros.txt
	distrosData []byte
)

// Namespaces of data/products.txt with a fixed meaning; the others are OSV ecosystems.
const (
	NamespaceCPE23 = "cpe23"
	NamespaceEOL   = "eol"
)

// Alias is one name of a product in one namespace.
type Alias struct {
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
}

// Branch is one entry of the lifecycle data.
type Branch struct {
	Product string `json:"product"`
	// Branch is "X.Y", or "<X.Y" for every version before X.Y.
	Branch string        `json:"branch"`
	EOL    calendar.Date `json:"eol"`
	Source string        `json:"source"`
}

// Catalog is the reference data Assess works from.
type Catalog struct {
	products map[string][]Alias  // "vendor:product" → aliases
	branches map[string][]Branch // eol product → branches
	distros  []distroMarker
}

type distroMarker struct{ marker, ecosystem string }

// Default returns the catalog embedded from data/*.txt.
func Default() *Catalog {
	c, err := Parse(bytes.NewReader(productsData), bytes.NewReader(eolData), bytes.NewReader(distrosData))
	if err != nil {
		// Cannot happen for the embedded files: TestDefaultCatalog parses them.
		panic("exposure: embedded data: " + err.Error())
	}
	return c
}

// Parse reads a catalog in the formats of data/products.txt, data/eol.txt and data/distros.txt.
// Errors name the file and line.
func Parse(products, eol, distros io.Reader) (*Catalog, error) {
	c := &Catalog{products: map[string][]Alias{}, branches: map[string][]Branch{}}
	err := eachRecord(products, "products", 3, func(f []string) error {
		if strings.Count(f[0], ":") != 1 || f[1] == "" || f[2] == "" {
			return fmt.Errorf("want \"vendor:product | namespace | name\"")
		}
		c.products[f[0]] = append(c.products[f[0]], Alias{Namespace: f[1], Name: f[2]})
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = eachRecord(eol, "eol", 4, func(f []string) error {
		if _, ok := parseBranch(f[1]); !ok {
			return fmt.Errorf("branch %q: want X.Y or <X.Y", f[1])
		}
		d, err := calendar.ParseDate(f[2])
		if err != nil {
			return err
		}
		if !strings.HasPrefix(f[3], "https://") {
			return fmt.Errorf("source %q: want an https:// address", f[3])
		}
		c.branches[f[0]] = append(c.branches[f[0]], Branch{Product: f[0], Branch: f[1], EOL: d, Source: f[3]})
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = eachRecord(distros, "distros", 2, func(f []string) error {
		c.distros = append(c.distros, distroMarker{marker: f[0], ecosystem: f[1]})
		return nil
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// eachRecord calls fn with the n '|'-separated, trimmed fields of every non-comment line.
func eachRecord(r io.Reader, file string, n int, fn func([]string) error) error {
	sc := bufio.NewScanner(r)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		fields := strings.Split(text, "|")
		if len(fields) != n {
			return fmt.Errorf("%s line %d: %d fields, want %d separated by '|'", file, line, len(fields), n)
		}
		for i := range fields {
			fields[i] = strings.TrimSpace(fields[i])
			if fields[i] == "" {
				return fmt.Errorf("%s line %d: field %d is empty", file, line, i+1)
			}
		}
		if err := fn(fields); err != nil {
			return fmt.Errorf("%s line %d: %w", file, line, err)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read %s: %w", file, err)
	}
	return nil
}

// Aliases returns the names of product ("vendor:product" of the CPE) in every namespace, in the
// order of data/products.txt.
func (c *Catalog) Aliases(product string) []Alias {
	return append([]Alias(nil), c.products[product]...)
}
