package cli

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/ceplus/ceplus/collector/internal/sample"
	"github.com/ceplus/ceplus/shared/cmdline"
	"github.com/ceplus/ceplus/shared/rules"
)

// runSample dispatches `ceplus-collector sample draw|verify` (docs/sampling.md).
func runSample(ctx context.Context, stdio cmdline.IO, args []string) int {
	return sampler{rand: rand.Reader}.run(ctx, stdio, args)
}

// sampler holds the random source of new seeds: crypto/rand in the product, fixed in tests.
type sampler struct {
	rand io.Reader
}

func (s sampler) run(ctx context.Context, stdio cmdline.IO, args []string) int {
	return cmdline.Dispatch(ctx, prog+" sample", []cmdline.Command{
		{Name: "draw", Summary: "draw Sample 1 or 2 from a scope and print the result as JSON", Run: s.draw},
		{Name: "verify", Summary: "re-run a recorded draw and check that it gives the same devices", Run: s.verify},
	}, stdio, args)
}

const sampleProg = prog + " sample"

func (s sampler) draw(_ context.Context, stdio cmdline.IO, args []string) int {
	const name = sampleProg + " draw"
	fs := cmdline.NewFlags("draw", stdio)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: %s --scope SCOPE.json --sample 1|2 [--exclude FILE] [--seed HEX] [--test-all-types server,network]\n", name)
		fs.PrintDefaults()
	}
	scopePath := fs.String("scope", "", "scope file: {\"devices\": [{\"id\", \"type\", \"build\"}...], \"policy\": {\"test_all_types\": [...]}}")
	sampleArg := fs.String("sample", "", "sample number: 1 or 2")
	excludePath := fs.String("exclude", "", "Sample 1 devices (required for --sample 2): a file shaped like the scope, or the Sample 1 draw's JSON")
	seedArg := fs.String("seed", "", "seed as 64 hex digits, to replay a draw (default: a fresh seed from crypto/rand)")
	testAllArg := fs.String("test-all-types", "", "comma-separated device types tested in full, e.g. server,network")
	rest, code, ok := parseInterleaved(fs, args)
	if !ok {
		return code
	}
	fail := func(format string, args ...any) int {
		return cmdline.Fail(stdio, name, cmdline.ExitUsage, format, args...)
	}
	if len(rest) > 0 {
		return fail("unexpected argument %q (all inputs are flags; see -h)", rest[0])
	}
	if *scopePath == "" {
		return fail("--scope is required: the file with the scope's devices")
	}
	var sampleNo int
	switch *sampleArg {
	case "1":
		sampleNo = 1
	case "2":
		sampleNo = 2
	case "":
		return fail("--sample is required: 1 or 2")
	default:
		return fail("--sample: %q is not 1 or 2", *sampleArg)
	}

	sc, err := loadScope(*scopePath)
	if err != nil {
		return fail("%v", err)
	}
	policy := sc.policy()
	if flagSet(fs, "test-all-types") {
		types, err := sample.NormalizeTypes(splitList(*testAllArg))
		if err != nil {
			return fail("--test-all-types %q: %v", *testAllArg, err)
		}
		if sc.Policy != nil && sc.Policy.TestAllTypes != nil && !slices.Equal(types, policy.TestAllTypes) {
			return fail("--test-all-types %q conflicts with policy.test_all_types %q in %s: give the policy once", *testAllArg, policy.TestAllTypes, *scopePath)
		}
		policy.TestAllTypes = types
	}

	var exclude []string
	switch {
	case sampleNo == 1 && *excludePath != "":
		return fail("--exclude %s: Sample 1 excludes nothing; --exclude names the Sample 1 devices for --sample 2", *excludePath)
	case sampleNo == 2 && *excludePath == "":
		return fail("--sample 2 needs --exclude FILE: the Sample 1 devices (or the Sample 1 draw's JSON)")
	case sampleNo == 2:
		if exclude, err = loadExclude(*excludePath, sc.Devices, *scopePath); err != nil {
			return fail("%v", err)
		}
	}

	var seed sample.Seed
	if *seedArg != "" {
		if seed, err = sample.ParseSeed(*seedArg); err != nil {
			return fail("--seed: %v", err)
		}
	} else if seed, err = sample.NewSeed(s.rand); err != nil {
		return cmdline.Fail(stdio, name, cmdline.ExitError, "%v", err)
	}

	res, err := sample.Draw(sc.Devices, policy, sampleNo, exclude, seed)
	if err != nil {
		return fail("%s: %v", *scopePath, err)
	}
	var out bytes.Buffer
	if err := cmdline.PrintJSON(&out, res); err != nil {
		return cmdline.Fail(stdio, name, cmdline.ExitError, "encode the result: %v", err)
	}
	if _, err := stdio.Stdout.Write(out.Bytes()); err != nil {
		return cmdline.Fail(stdio, name, cmdline.ExitError, "write the result: %v", err)
	}
	return cmdline.ExitOK
}

func (s sampler) verify(_ context.Context, stdio cmdline.IO, args []string) int {
	const name = sampleProg + " verify"
	fs := cmdline.NewFlags("verify", stdio)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: %s DRAW.json --scope SCOPE.json [--exclude FILE]\n", name)
		fs.PrintDefaults()
	}
	scopePath := fs.String("scope", "", "the scope file the draw was made from")
	excludePath := fs.String("exclude", "", "the Sample 1 devices, checked against the draw's recorded exclude list (Sample 2)")
	rest, code, ok := parseInterleaved(fs, args)
	if !ok {
		return code
	}
	fail := func(format string, args ...any) int {
		return cmdline.Fail(stdio, name, cmdline.ExitUsage, format, args...)
	}
	switch {
	case len(rest) == 0:
		return fail("give the recorded draw: %s DRAW.json --scope SCOPE.json", name)
	case len(rest) > 1:
		return fail("unexpected argument %q: give one DRAW.json", rest[1])
	case *scopePath == "":
		return fail("--scope is required: the file with the scope's devices")
	}
	drawPath := rest[0]
	recorded, err := loadDraw(drawPath)
	if err != nil {
		return fail("%v", err)
	}
	sc, err := loadScope(*scopePath)
	if err != nil {
		return fail("%v", err)
	}
	var diffs []string
	if sc.Policy != nil && sc.Policy.TestAllTypes != nil {
		if want := sc.policy().TestAllTypes; !slices.Equal(want, recorded.TestAllTypes) {
			diffs = append(diffs, fmt.Sprintf("test_all_types: recorded %q, %s has policy.test_all_types %q", recorded.TestAllTypes, *scopePath, want))
		}
	}
	if *excludePath != "" {
		ids, err := loadExclude(*excludePath, sc.Devices, *scopePath)
		if err != nil {
			return fail("%v", err)
		}
		slices.Sort(ids)
		if ids = slices.Compact(ids); !slices.Equal(ids, recorded.Exclude) {
			diffs = append(diffs, fmt.Sprintf("exclude: recorded %q, %s holds %q", recorded.Exclude, *excludePath, ids))
		}
	}
	err = sample.Verify(recorded, sc.Devices)
	var mismatch *sample.MismatchError
	switch {
	case errors.As(err, &mismatch):
		diffs = append(diffs, mismatch.Differences...)
	case err != nil:
		return fail("%s: %v", drawPath, err)
	}
	if len(diffs) > 0 {
		return cmdline.Fail(stdio, name, cmdline.ExitError, "%s does not verify against %s:\n  - %s", drawPath, *scopePath, strings.Join(diffs, "\n  - "))
	}
	n, builds := 0, 0
	for _, ids := range recorded.Devices {
		n += len(ids)
		builds++
	}
	fmt.Fprintf(stdio.Stdout, "ok: %s re-runs identically: sample %d, %d devices in %d builds, scope_hash %s, seed matches commitment %s\n",
		drawPath, recorded.Sample, n, builds, recorded.ScopeHash, recorded.Commitment)
	return cmdline.ExitOK
}

// parseInterleaved parses flags that may come before or after positional arguments (the flag
// package stops at the first positional one) and returns the positional arguments.
func parseInterleaved(fs *flag.FlagSet, args []string) (rest []string, code int, ok bool) {
	for {
		if code, ok := cmdline.ParseFlags(fs, args); !ok {
			return nil, code, false
		}
		args = fs.Args()
		if len(args) == 0 {
			return rest, cmdline.ExitOK, true
		}
		if args[0] == "--" {
			return append(rest, args[1:]...), cmdline.ExitOK, true
		}
		rest = append(rest, args[0])
		args = args[1:]
	}
}

func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// splitList splits a comma-separated flag value, trimming spaces and dropping empty items.
func splitList(s string) []string {
	out := []string{}
	for _, item := range strings.Split(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// scopeFile is the scope file: the devices of contract v1 and an optional policy. Other fields
// are ignored, so a contract v1 case file is a valid scope.
type scopeFile struct {
	Devices []rules.Device `json:"devices"`
	Policy  *sample.Policy `json:"policy"`
}

func (s scopeFile) policy() sample.Policy {
	if s.Policy == nil {
		return sample.Policy{TestAllTypes: []string{}}
	}
	types, _ := sample.NormalizeTypes(s.Policy.TestAllTypes) // checked by loadScope
	return sample.Policy{TestAllTypes: types}
}

// loadScope reads and checks a scope file. Errors start with the path and name the field.
func loadScope(path string) (scopeFile, error) {
	var raw struct {
		Devices json.RawMessage `json:"devices"`
		Policy  json.RawMessage `json:"policy"`
	}
	if err := readJSON(path, &raw); err != nil {
		return scopeFile{}, err
	}
	var sc scopeFile
	if len(raw.Devices) == 0 || string(raw.Devices) == "null" {
		return sc, fmt.Errorf("%s: no \"devices\" field: want {\"devices\": [{\"id\", \"type\", \"build\"}, ...]}", path)
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw.Devices, &items); err != nil {
		return sc, fmt.Errorf("%s: devices: want a list of {\"id\", \"type\", \"build\"} objects: %v", path, jsonError(err))
	}
	sc.Devices = make([]rules.Device, len(items))
	for i, item := range items {
		if err := json.Unmarshal(item, &sc.Devices[i]); err != nil {
			return sc, fmt.Errorf("%s: devices[%d]: want {\"id\", \"type\", \"build\"} with string values: %v", path, i, jsonError(err))
		}
	}
	if len(sc.Devices) == 0 {
		return sc, fmt.Errorf("%s: devices: the list is empty; a scope needs at least one device", path)
	}
	if err := sample.ValidateScope(sc.Devices); err != nil {
		return sc, fmt.Errorf("%s: %v", path, err)
	}
	if len(raw.Policy) > 0 && string(raw.Policy) != "null" {
		var p sample.Policy
		if err := json.Unmarshal(raw.Policy, &p); err != nil {
			return sc, fmt.Errorf("%s: policy: want {\"test_all_types\": [\"server\", ...]}: %v", path, jsonError(err))
		}
		for i, t := range p.TestAllTypes {
			if !rules.ValidDeviceType(t) {
				return sc, fmt.Errorf("%s: policy.test_all_types[%d]: %q is not one of %v", path, i, t, rules.DeviceTypes)
			}
		}
		sc.Policy = &p
	}
	return sc, nil
}

// loadExclude reads the Sample 1 device ids from path: a file shaped like the scope (devices as
// objects with at least an id, or as plain id strings) or a Sample 1 draw's JSON (devices as
// build → ids). Every id must be in scope, with the same build when the file gives one.
func loadExclude(path string, scope []rules.Device, scopePath string) ([]string, error) {
	var raw struct {
		Algorithm string          `json:"algorithm"`
		Sample    *int            `json:"sample"`
		Devices   json.RawMessage `json:"devices"`
	}
	if err := readJSON(path, &raw); err != nil {
		return nil, fmt.Errorf("--exclude %w", err)
	}
	build := make(map[string]string, len(scope))
	for _, d := range scope {
		build[d.ID] = d.Build
	}
	type entry struct {
		field, id, build string
	}
	var entries []entry
	switch trimmed := bytes.TrimSpace(raw.Devices); {
	case len(trimmed) == 0 || string(trimmed) == "null":
		return nil, fmt.Errorf("--exclude %s: no \"devices\" field: want the Sample 1 devices as {\"devices\": [...]} or the Sample 1 draw's JSON", path)
	case trimmed[0] == '{':
		if raw.Sample != nil && *raw.Sample != 1 {
			return nil, fmt.Errorf("--exclude %s: sample: this is a draw of sample %d; give the Sample 1 draw", path, *raw.Sample)
		}
		var byBuild map[string][]string
		if err := json.Unmarshal(trimmed, &byBuild); err != nil {
			return nil, fmt.Errorf("--exclude %s: devices: want build → list of ids: %v", path, jsonError(err))
		}
		for b, ids := range byBuild {
			for i, id := range ids {
				entries = append(entries, entry{fmt.Sprintf("devices[%q][%d]", b, i), id, b})
			}
		}
	default:
		var items []json.RawMessage
		if err := json.Unmarshal(trimmed, &items); err != nil {
			return nil, fmt.Errorf("--exclude %s: devices: want a list of devices: %v", path, jsonError(err))
		}
		for i, item := range items {
			field := fmt.Sprintf("devices[%d]", i)
			var id string
			if json.Unmarshal(item, &id) == nil {
				entries = append(entries, entry{field, id, ""})
				continue
			}
			var d rules.Device
			if err := json.Unmarshal(item, &d); err != nil {
				return nil, fmt.Errorf("--exclude %s: %s: want {\"id\", \"type\", \"build\"} or an id: %v", path, field, jsonError(err))
			}
			entries = append(entries, entry{field, d.ID, d.Build})
		}
	}
	slices.SortFunc(entries, func(a, b entry) int { return strings.Compare(a.field, b.field) })
	ids := make([]string, 0, len(entries))
	for _, e := range entries {
		b, ok := build[e.id]
		switch {
		case e.id == "":
			return nil, fmt.Errorf("--exclude %s: %s: device id is empty", path, e.field)
		case !ok:
			return nil, fmt.Errorf("--exclude %s: %s: device %q is not in the scope %s", path, e.field, e.id, scopePath)
		case e.build != "" && e.build != b:
			return nil, fmt.Errorf("--exclude %s: %s: device %q has build %q, but %q in the scope %s", path, e.field, e.id, e.build, b, scopePath)
		}
		ids = append(ids, e.id)
	}
	return ids, nil
}

// loadDraw reads a recorded draw and checks the fields verify needs.
func loadDraw(path string) (sample.Result, error) {
	var r sample.Result
	if err := readJSON(path, &r); err != nil {
		return r, err
	}
	switch {
	case r.Algorithm == "":
		return r, fmt.Errorf("%s: algorithm: missing; is this the JSON printed by `sample draw`?", path)
	case r.Sample != 1 && r.Sample != 2:
		return r, fmt.Errorf("%s: sample: %d is not 1 or 2", path, r.Sample)
	case r.Devices == nil:
		return r, fmt.Errorf("%s: devices: missing", path)
	}
	if _, err := sample.ParseSeed(r.Seed); err != nil {
		return r, fmt.Errorf("%s: seed: %v", path, err)
	}
	if r.Exclude == nil {
		r.Exclude = []string{}
	}
	if r.TestAllTypes == nil {
		r.TestAllTypes = []string{}
	}
	return r, nil
}

// readJSON decodes the single JSON value in the file at path into v.
func readJSON(path string, v any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("%s: %w", path, unwrapPath(err))
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(v); err != nil {
		if errors.Is(err, io.EOF) {
			return fmt.Errorf("%s: the file is empty; want a JSON object", path)
		}
		return fmt.Errorf("%s: invalid JSON: %v", path, jsonError(err))
	}
	if dec.More() {
		return fmt.Errorf("%s: invalid JSON: more data after the first value (at byte %d)", path, dec.InputOffset())
	}
	return nil
}

// unwrapPath drops the repeated path from an *os.PathError ("open x: no such file" → "cannot
// open: no such file").
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("cannot %s: %w", pe.Op, pe.Err)
	}
	return err
}

// jsonError describes a JSON decoding error with its position or field.
func jsonError(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("%v (at byte %d)", syn, syn.Offset)
	case errors.As(err, &typ) && typ.Field != "":
		return fmt.Sprintf("field %s: got JSON %s, want %v", typ.Field, typ.Value, typ.Type)
	case errors.As(err, &typ):
		return fmt.Sprintf("got JSON %s, want %v", typ.Value, typ.Type)
	}
	return err.Error()
}
