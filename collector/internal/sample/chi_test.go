package sample

import (
	"slices"
	"strings"
	"testing"

	"github.com/ceplus/ceplus/shared/rules"
)

// Critical values of the chi-square distribution at p = 0.001 (upper tail), from the standard
// table (for example NIST/SEMATECH e-Handbook §1.4.2.7.1).
const (
	chi2Crit22 = 48.268 // 22 degrees of freedom
	chi2Crit19 = 43.820 // 19 degrees of freedom
)

// draws is the number of draws of each statistical test.
const draws = 10000

// selector picks k of the pool (sorted by id) for one draw; seed keys the stream as in Draw.
type selector func(pool []rules.Device, k int, seed Seed) []string

// drawSelector is the real thing: the full Draw, as a user calls it.
func drawSelector(pool []rules.Device, k int, seed Seed) []string {
	r, err := Draw(pool, Policy{}, 1, nil, seed)
	if err != nil {
		panic(err)
	}
	got := r.Devices[pool[0].Build]
	if len(got) != k {
		panic("Draw returned the wrong size")
	}
	return got
}

// Deliberately biased selectors: the statistical tests must reject each of them. (A subtler bias,
// a random byte reduced modulo n, is not detectable with 10,000 draws and is not listed: the
// tests have power against gross and classic shuffle bugs, not against every bias.)
var biased = []struct {
	name string
	sel  selector
}{
	{"first k devices", func(pool []rules.Device, k int, _ Seed) []string {
		return ids(pool[:k])
	}},
	{"off-by-one Fisher-Yates (j < n-1)", func(pool []rules.Device, k int, seed Seed) []string {
		s := newStream(seed, hashSorted(pool), 1, pool[0].Build)
		p := ids(pool)
		for i := range k {
			j := i + int(s.uniform(uint64(len(p)-i-1)))
			p[i], p[j] = p[j], p[i]
		}
		return p[:k]
	}},
	{"naive shuffle (j uniform in [0, n) instead of [i, n))", func(pool []rules.Device, k int, seed Seed) []string {
		s := newStream(seed, hashSorted(pool), 1, pool[0].Build)
		p := ids(pool)
		for i := range k {
			j := int(s.uniform(uint64(len(p))))
			p[i], p[j] = p[j], p[i]
		}
		return p[:k]
	}},
	{"5-bit random value reduced modulo n", func(pool []rules.Device, k int, seed Seed) []string {
		s := newStream(seed, hashSorted(pool), 1, pool[0].Build)
		p := ids(pool)
		for i := range k {
			j := i + int((s.word()>>59)%uint64(len(p)-i))
			p[i], p[j] = p[j], p[i]
		}
		return p[:k]
	}},
}

// deviceChi2 returns the chi-square statistic of how often each device of pool is selected over
// `draws` draws of k with seeds SHA-256("chi" ‖ i). A draw takes k distinct devices, so a count's
// variance is draws·p·(1-p) with p = k/n, not the multinomial draws·k·p: the plain statistic
// Σ(O-E)²/E is scaled by (n-1)/(n-k) to follow chi-square with n-1 degrees of freedom.
func deviceChi2(sel selector, pool []rules.Device, k int) float64 {
	n := len(pool)
	count := map[string]int{}
	for i := range uint64(draws) {
		for _, id := range sel(pool, k, derivedSeed("chi", i)) {
			count[id]++
		}
	}
	expected := float64(draws*k) / float64(n)
	var stat float64
	for _, d := range pool {
		diff := float64(count[d.ID]) - expected
		stat += diff * diff / expected
	}
	return stat * float64(n-1) / float64(n-k)
}

// subsetChi2 returns the chi-square statistic of how often each k-subset of pool is drawn over
// `draws` draws with seeds SHA-256("subset" ‖ i); there are C(n, k) cells, each expected equally.
func subsetChi2(sel selector, pool []rules.Device, k, cells int) float64 {
	count := map[string]int{}
	for i := range uint64(draws) {
		got := sel(pool, k, derivedSeed("subset", i))
		got = slices.Clone(got)
		slices.Sort(got)
		count[strings.Join(got, ",")]++
	}
	if len(count) > cells {
		panic("more subsets than C(n, k)")
	}
	expected := float64(draws) / float64(cells)
	var stat float64
	for _, c := range count {
		diff := float64(c) - expected
		stat += diff * diff / expected
	}
	stat += float64(cells-len(count)) * expected // subsets never drawn
	return stat
}

// TestEqualProbability checks that every device of a 23-device build (sample size 4) is drawn
// with the same probability, and that the same bound rejects biased selectors.
func TestEqualProbability(t *testing.T) {
	if testing.Short() {
		t.Skip("statistical test")
	}
	pool := build("dev", "laptop", "Windows 11 Pro 24H2", 23)
	k := rules.SampleSize(len(pool))
	if k != 4 {
		t.Fatalf("SampleSize(23) = %d, the test expects 4", k)
	}
	stat := deviceChi2(drawSelector, pool, k)
	t.Logf("Draw: chi-square %.2f, critical value %.3f (22 degrees of freedom, p = 0.001)", stat, chi2Crit22)
	if stat > chi2Crit22 {
		t.Errorf("Draw: chi-square %.2f > %.3f: devices are not drawn with equal probability", stat, chi2Crit22)
	}
	for _, b := range biased {
		t.Run(b.name, func(t *testing.T) {
			stat := deviceChi2(b.sel, pool, k)
			t.Logf("chi-square %.2f", stat)
			if stat <= chi2Crit22 {
				t.Errorf("biased selector passed: chi-square %.2f ≤ %.3f; the test has no power against it", stat, chi2Crit22)
			}
		})
	}
}

// TestEqualSubsets checks the stronger property that every subset is equally likely: in a
// 6-device build (size 3) each of the C(6,3) = 20 subsets must come up equally often.
func TestEqualSubsets(t *testing.T) {
	if testing.Short() {
		t.Skip("statistical test")
	}
	pool := build("dev", "desktop", "Debian 12", 6)
	k := rules.SampleSize(len(pool))
	stat := subsetChi2(drawSelector, pool, k, 20)
	t.Logf("Draw: chi-square %.2f, critical value %.3f (19 degrees of freedom, p = 0.001)", stat, chi2Crit19)
	if stat > chi2Crit19 {
		t.Errorf("Draw: chi-square %.2f > %.3f: subsets are not equally likely", stat, chi2Crit19)
	}
	for _, b := range biased {
		t.Run(b.name, func(t *testing.T) {
			stat := subsetChi2(b.sel, pool, k, 20)
			t.Logf("chi-square %.2f", stat)
			if stat <= chi2Crit19 {
				t.Errorf("biased selector passed: chi-square %.2f ≤ %.3f; the test has no power against it", stat, chi2Crit19)
			}
		})
	}
}
