package rules

import "testing"

func TestSampleSize(t *testing.T) {
	tests := []struct {
		n, want int
	}{{0, 0}, {1, 1}, {2, 2}, {5, 2}, {6, 3}, {19, 3}, {20, 4}, {60, 4}, {61, 5}, {100000, 5}}
	for _, tt := range tests {
		if got := SampleSize(tt.n); got != tt.want {
			t.Errorf("SampleSize(%d) = %d, want %d", tt.n, got, tt.want)
		}
	}
}

func TestSampleSizesRulesExample(t *testing.T) {
	// RULES.md §1.2: 50 × Windows 10 Pro 1903, 30 × macOS Catalina, 10 × Windows Server 2016 → 4 + 4 + 3.
	var devs []Device
	add := func(n int, typ, build string) {
		for i := 0; i < n; i++ {
			devs = append(devs, Device{ID: build + string(rune('a'+i%26)) + string(rune('a'+i/26)), Type: typ, Build: build})
		}
	}
	add(50, "laptop", "Windows 10 Pro 1903")
	add(30, "laptop", "macOS Catalina")
	add(10, "server", "Windows Server 2016")
	got := SampleSizes(devs, nil)
	want := map[string]int{"Windows 10 Pro 1903": 4, "macOS Catalina": 4, "Windows Server 2016": 3}
	for b, w := range want {
		if got[b] != w {
			t.Errorf("%s: %d, want %d", b, got[b], w)
		}
	}
	// With servers tested in full, the server build needs all 10.
	if got := SampleSizes(devs, []string{"server"})["Windows Server 2016"]; got != 10 {
		t.Errorf("test_all_types server: %d, want 10", got)
	}
}
