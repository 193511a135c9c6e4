package outcome

import "testing"

func TestDetectLang(t *testing.T) {
	for _, tc := range []struct {
		setting string
		env     map[string]string
		want    Lang
	}{
		{"es", map[string]string{"LANG": "en_US.UTF-8"}, ES},
		{"English", map[string]string{"LANG": "es_ES.UTF-8"}, EN},
		{"", map[string]string{"LANG": "es_ES.UTF-8"}, ES},
		{"", map[string]string{"LC_ALL": "C", "LANG": "es_ES.UTF-8"}, EN},
		{"", map[string]string{"LC_MESSAGES": "es_AR", "LANG": "en_GB"}, ES},
		{"klingon", nil, EN},
		{"", nil, EN},
	} {
		if got := DetectLang(tc.setting, func(k string) string { return tc.env[k] }); got != tc.want {
			t.Errorf("DetectLang(%q, %v) = %q, want %q", tc.setting, tc.env, got, tc.want)
		}
	}
}
